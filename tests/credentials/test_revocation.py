"""Revocation in one server process takes effect on the next request in another."""

import httpx
import pytest

from slotwise.settings import Settings
from tests.support.factories import Side, make_api_key
from tests.support.servers import running_server

pytestmark = pytest.mark.slow


async def test_revocation_reaches_every_process(settings: Settings, side_a: Side) -> None:
    victim = await make_api_key(settings, side_a.tenant)
    owner = side_a.tenant.headers()
    victim_headers = {"authorization": f"Bearer {victim.api_key}"}
    with running_server(settings) as first, running_server(settings) as second:
        async with httpx.AsyncClient() as http:
            for base in (first, second):  # both processes now hold the key in their cache
                assert (
                    await http.get(f"{base}/v4/user/me", headers=victim_headers)
                ).status_code == 200
            revoked = await http.delete(f"{first}/v4/api-key/{victim.id}", headers=owner)
            assert revoked.status_code == 204
            after = await http.get(f"{second}/v4/user/me", headers=victim_headers)
            assert (after.status_code, after.json()["message"]) == (401, "Invalid API key")
            deactivate_target = await make_api_key(settings, side_a.tenant)
            target_headers = {"authorization": f"Bearer {deactivate_target.api_key}"}
            assert (
                await http.get(f"{second}/v4/user/me", headers=target_headers)
            ).status_code == 200
            await http.post(f"{first}/v4/api-key/{deactivate_target.id}/deactivate", headers=owner)
            assert (
                await http.get(f"{second}/v4/user/me", headers=target_headers)
            ).status_code == 401
