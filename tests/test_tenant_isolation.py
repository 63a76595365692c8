"""Generated from the route table: company A's credential never reaches company B's data.

For every authenticated route, A's platform key is sent with B's ids in the path and B's user in
the acting-user header; each must answer 404 and the response must carry none of B's ids.
List routes run with A's own ids and must not contain B's ids either. A new route with a path
parameter this module has no id for fails the test until it is covered.
"""

from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.db_snapshot import fingerprint
from tests.support.factories import Side
from tests.support.routes import authenticated_routes


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Hundreds of requests from one key in a few seconds: rate limits are not the subject. An
    OAuth app is configured so that the calendar connect link answers (with a sealed state)."""
    return msgspec.structs.replace(
        settings,
        rate_limit_enabled=False,
        google_client_id="isolation-client",
        google_client_secret="isolation-secret",
    )


def canaries(side: Side) -> set[str]:
    """B's ids as /v4 shows them, and as /api/v1 does (the hex in `evt_…`, `usr_…`)."""
    values = set(side.ids.values()) | {str(side.tenant.company_id), str(side.tenant.owner_id)}
    values |= {str(side.admin_id), str(side.account_pat.id), str(side.admin_pat.id)}
    return values | {value.replace("-", "") for value in values if value.count("-") == 4}


def without_time(body: dict[str, Any]) -> dict[str, Any]:
    """An error body without the moment it was made (/api/v1's `timestamp`)."""
    return {key: value for key, value in body.items() if key != "timestamp"}


async def test_foreign_ids_in_path_are_not_found(
    app: Litestar,
    client: AsyncTestClient[Litestar],
    settings: Settings,
    side_a: Side,
    side_b: Side,
) -> None:
    routes = [r for r in authenticated_routes(app) if r.params]
    assert routes
    headers = side_a.tenant.headers(side_a.member_id)
    await client.get("/v4/user/me", headers=headers)  # records last use before the snapshot
    before = await fingerprint(settings.database_url or "")
    for route in routes:
        response = await route.send(client, route.url(side_b.ids), headers)
        assert response.status_code == 404, f"{route}: {response.status_code} {response.text}"
        assert not any(c in response.text for c in canaries(side_b)), str(route)
    assert await fingerprint(settings.database_url or "") == before


async def test_foreign_user_in_acting_header_is_not_found(
    app: Litestar,
    client: AsyncTestClient[Litestar],
    settings: Settings,
    side_a: Side,
    side_b: Side,
) -> None:
    unknown = {"authorization": f"Bearer {side_a.tenant.api_key}"}
    for route in authenticated_routes(app):
        url = route.url(side_a.ids)
        foreign = await route.send(client, url, side_a.tenant.headers(side_b.member_id))
        missing = await route.send(
            client,
            url,
            unknown | {"x-meetergo-api-user-id": "00000000-0000-7000-8000-000000000000"},
        )
        assert foreign.status_code == 404, str(route)
        same = without_time(foreign.json()) == without_time(missing.json())
        assert same, f"{route}: foreign and unknown users differ"
        assert foreign.json()["message"] == "User not found"


async def test_lists_show_no_foreign_rows(
    app: Litestar, client: AsyncTestClient[Litestar], side_a: Side, side_b: Side
) -> None:
    lists = [r for r in authenticated_routes(app) if r.method == "GET"]
    assert lists
    for route in lists:
        response = await client.get(
            route.url(side_a.ids), headers=side_a.tenant.headers(side_a.member_id)
        )
        assert response.status_code == 200, f"{route}: {response.text}"
        assert not any(c in response.text for c in canaries(side_b)), str(route)
