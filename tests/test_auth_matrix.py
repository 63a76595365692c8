"""Every authenticated route x every bad credential: the documented status and body, no writes."""

import uuid
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.auth.scopes import SCOPES, grants
from slotwise.settings import Settings
from tests.support.db_snapshot import fingerprint
from tests.support.factories import Side, alter_credential, make_api_key, make_pat, past
from tests.support.routes import Route, authenticated_routes


def unauthorized(message: str) -> dict[str, Any]:
    return {"statusCode": 401, "message": message, "error": "Unauthorized", "code": "unauthorized"}


def in_dialect(route: Route, body: dict[str, Any]) -> dict[str, Any]:
    """The same error in the route's envelope: /api/v1 speaks the Meetario sheet's (its
    `timestamp`, which varies, is checked apart)."""
    if not route.path.startswith("/api/v1/"):
        return body
    return {"error": body["code"], "message": body["message"], "status_code": body["statusCode"]}


def comparable(route: Route, body: dict[str, Any]) -> dict[str, Any]:
    if not route.path.startswith("/api/v1/"):
        return body
    assert isinstance(body.pop("timestamp", None), str), body
    return body


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The matrix sends hundreds of bad credentials from one address on purpose: keep the
    failure throttle and the address limit (which failed requests count against) out of it."""
    return msgspec.structs.replace(
        settings,
        auth_failures_per_credential=10_000,
        auth_failures_per_address=10_000,
        rate_limit_enabled=False,
    )


async def test_every_route_refuses_bad_credentials(
    app: Litestar,
    client: AsyncTestClient[Litestar],
    settings: Settings,
    side_a: Side,
    side_b: Side,
) -> None:
    expired = (await make_api_key(settings, side_a.tenant)).api_key
    deactivated = (await make_api_key(settings, side_a.tenant)).api_key
    revoked = (await make_api_key(settings, side_a.tenant)).api_key
    await alter_credential(settings, expired, expires_at=past())
    await alter_credential(settings, deactivated, active=False)
    await alter_credential(settings, revoked, revoked_at=past(), active=False)
    key = side_a.tenant.api_key
    wrong_secret = key[: key.rindex(":") + 1] + "x" * 43
    member = str(side_a.member_id)

    def bearer(token: str) -> dict[str, str]:
        return {"authorization": f"Bearer {token}", "x-meetergo-api-user-id": member}

    cases: list[tuple[str, dict[str, str], Callable[[Route], tuple[int, dict[str, Any]]]]] = [
        (
            "none",
            {"x-meetergo-api-user-id": member},
            lambda r: (401, unauthorized("Missing authorization header")),
        ),
        (
            "not bearer",
            {"authorization": f"Basic {key}"},
            lambda r: (401, unauthorized("Invalid API key")),
        ),
        (
            "malformed",
            bearer("ak_live:not-a-uuid:secret"),
            lambda r: (401, unauthorized("Invalid API key")),
        ),
        ("unknown prefix", bearer("sk_live_abc"), lambda r: (401, unauthorized("Invalid API key"))),
        (
            "malformed pat_",
            bearer("pat_" + "a" * 39),
            lambda r: (401, unauthorized("Invalid API key")),
        ),
        (
            "unknown pat_",
            bearer("pat_" + "y" * 40),
            lambda r: (401, unauthorized("Invalid API key")),
        ),
        (
            "unknown key",
            bearer(f"ak_live:{uuid.uuid4()}:{'y' * 43}"),
            lambda r: (401, unauthorized("Invalid API key")),
        ),
        ("wrong secret", bearer(wrong_secret), lambda r: (401, unauthorized("Invalid API key"))),
        ("expired", bearer(expired), lambda r: (401, unauthorized("API key has expired"))),
        ("deactivated", bearer(deactivated), lambda r: (401, unauthorized("Invalid API key"))),
        ("revoked", bearer(revoked), lambda r: (401, unauthorized("Invalid API key"))),
        (
            "other company's key",
            bearer(side_b.tenant.api_key),
            lambda r: (
                404,
                {
                    "statusCode": 404,
                    "message": "User not found",
                    "error": "Not Found",
                    "code": "not_found",
                },
            ),
        ),
    ]
    routes = authenticated_routes(app)
    assert routes, "no authenticated routes found"
    before = await fingerprint(settings.database_url or "")
    for route in routes:
        url = route.url(side_a.ids)
        for name, headers, expect in cases:
            response = await route.send(client, url, headers)
            status, body = expect(route)
            got = (response.status_code, comparable(route, response.json()))
            assert got == (status, in_dialect(route, body)), f"{route} [{name}]"
    assert await fingerprint(settings.database_url or "") == before


def _pat_expectation(route: Route, scopes: set[str]) -> tuple[int, str] | None:
    if not route.access.pat:
        return 403, "Not allowed with a personal access token"
    needed = route.access.pat_scope
    if needed and not grants(scopes, needed):
        return 403, f"Missing scope: {needed}"
    return None


async def test_personal_access_tokens_follow_route_rules(
    app: Litestar, client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    resource_scopes = tuple(s for s in SCOPES if ":" in s)
    resources_only = await make_pat(
        settings, side_a.tenant, side_a.member_id, resource_scopes, style="pat"
    )
    before = await fingerprint(settings.database_url or "")
    checked = 0
    for route in authenticated_routes(app):
        url = route.url(side_a.ids)
        for token in (side_a.scheduling_pat, side_a.account_pat, resources_only):
            expected = _pat_expectation(route, set(token.scopes))
            if expected is None:
                continue
            headers = {"authorization": f"Bearer {token.token}"}
            response = await route.send(client, url, headers)
            assert response.status_code == expected[0], f"{route} {token.scopes}"
            assert response.json()["message"] == expected[1]
            checked += 1
    assert checked > 0
    assert await fingerprint(settings.database_url or "") == before
