"""Creating keys and tokens with an Idempotency-Key: a retry gets the same secret once more,
while the stored answer is sealed under the key (a database reader cannot use it)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.factories import Side
from tests.support.idempotency import assert_stored_sealed, count_rows


@dataclass(frozen=True)
class Route:
    path: Callable[[Side], str]
    body: dict[str, Any]
    other_body: dict[str, Any]
    #: the answer's field holding the secret
    field: str


API_KEY = Route(
    lambda _: "/v4/api-key", {"name": "CI", "expiresInDays": 7}, {"expiresInDays": 8}, "apiKey"
)
TOKEN = Route(
    lambda side: f"/v4/user/{side.member_id}/personal-access-token",
    {"name": "Zapier", "scopes": ["account"]},
    {"name": "Zapier", "scopes": ["scheduling"]},
    "token",
)


@pytest.mark.parametrize("route", [API_KEY, TOKEN], ids=["api-key", "personal-access-token"])
async def test_a_retry_gets_the_same_secret_and_creates_nothing(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side, route: Route
) -> None:
    key = "0c9f3a52-6a41-4d61-9a3e-1f5b7e2d8c10"
    headers = side_a.tenant.headers() | {"Idempotency-Key": key}
    before = await count_rows(settings, "credential")
    first = await client.post(route.path(side_a), json=route.body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    secret = first.json()[route.field]

    replay = await client.post(route.path(side_a), json=route.body, headers=headers)
    assert (replay.status_code, replay.content) == (201, first.content)
    assert replay.headers["idempotent-replayed"] == "true"
    assert await count_rows(settings, "credential") == before + 1
    me = await client.get("/v4/user/me", headers={"authorization": f"Bearer {secret}"})
    assert me.status_code == 200, "the replayed secret is the live one"

    other = await client.post(route.path(side_a), json=route.other_body, headers=headers)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert await count_rows(settings, "credential") == before + 1
    await assert_stored_sealed(settings, key, first.content, secret, secret.split(":")[-1])


async def test_another_credential_with_the_same_key_gets_its_own_key(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    key = {"Idempotency-Key": "shared"}
    body = API_KEY.body
    owner = await client.post("/v4/api-key", json=body, headers=side_a.tenant.headers() | key)
    extra = {"authorization": f"Bearer {side_a.extra_key.api_key}"} | key
    other = await client.post("/v4/api-key", json=body, headers=extra)
    assert owner.status_code == other.status_code == 201
    assert "idempotent-replayed" not in other.headers
    assert owner.json()["apiKey"] != other.json()["apiKey"]
