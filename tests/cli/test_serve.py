"""`slotwise serve` believes forwarded headers only from SLOTWISE_TRUSTED_PROXIES."""

import asyncio
import random

import httpx
import pytest

from slotwise.cli.serve import uvicorn_proxy_options
from slotwise.settings import Settings
from tests.support.servers import running_server

PUBLIC = "/v4/public/booking-page/nobody-here/nothing"


def test_no_trusted_proxies_means_no_proxy_headers() -> None:
    assert uvicorn_proxy_options("") == {"proxy_headers": False, "forwarded_allow_ips": []}
    assert uvicorn_proxy_options("10.0.0.0/8, 127.0.0.1") == {
        "proxy_headers": True,
        "forwarded_allow_ips": ["10.0.0.0/8", "127.0.0.1/32"],
    }


def remaining_after_forwarded_requests(base: str) -> list[int]:
    """Requests from 127.0.0.1, each naming a fresh client in X-Forwarded-For."""
    prefix = f"198.18.{random.randrange(256)}"
    found = []
    with httpx.Client(timeout=10) as http:
        for n in range(5):
            response = http.get(f"{base}{PUBLIC}", headers={"x-forwarded-for": f"{prefix}.{n}"})
            assert response.status_code == 404, response.text
            found.append(int(response.headers["x-ratelimit-remaining"]))
    return found


@pytest.mark.slow
async def test_uvicorn_ignores_forwarded_for_unless_the_peer_is_trusted(
    settings: Settings,
) -> None:
    with running_server(settings) as base:
        untrusted = await asyncio.to_thread(remaining_after_forwarded_requests, base)
    with running_server(settings, extra_env={"SLOTWISE_TRUSTED_PROXIES": "127.0.0.1"}) as base:
        trusted = await asyncio.to_thread(remaining_after_forwarded_requests, base)
    # one bucket, the socket peer's: later requests see the earlier ones
    assert untrusted[-1] < untrusted[0], untrusted
    # from a trusted proxy each forwarded client has a fresh bucket of its own
    assert trusted == [199] * 5, trusted
