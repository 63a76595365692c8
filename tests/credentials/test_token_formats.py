"""Personal access tokens in both forms (`rgo-`, `pat_`) and Meetario's resource scopes."""

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.auth.scopes import SCOPES
from tests.support.factories import Side


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def _mint(client: AsyncTestClient[Litestar], side: Side, **body: object) -> dict[str, object]:
    response = await client.post(
        f"/v4/user/{side.member_id}/personal-access-token",
        json={"name": "meetario", **body},
        headers=side.tenant.headers(),
    )
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


async def test_pat_format_authenticates_like_rgo(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    made = await _mint(client, side_a, scopes=["account"], format="pat")
    token = str(made["token"])
    assert token.startswith("pat_")
    assert len(token) == 44
    me = await client.get("/v4/user/me", headers=_bearer(token))
    assert me.status_code == 200
    assert me.json()["id"] == str(side_a.member_id)
    # an account route, granted by the token's own scope
    one = await client.get(f"/v4/user/{side_a.member_id}", headers=_bearer(token))
    assert one.status_code == 200
    # the list shows the `pat_` display prefix, never the secret
    url = f"/v4/user/{side_a.member_id}/personal-access-token"
    listed = (await client.get(url, headers=side_a.tenant.headers())).json()
    mine = next(t for t in listed if t["id"] == made["id"])
    assert mine["prefix"] == token[:12]
    assert token[12:] not in str(listed)
    # revoking refuses it at once, as for `rgo-`
    revoked = await client.delete(f"{url}/{made['id']}", headers=side_a.tenant.headers())
    assert revoked.status_code == 204
    assert (await client.get("/v4/user/me", headers=_bearer(token))).status_code == 401


async def test_format_defaults_to_rgo(client: AsyncTestClient[Litestar], side_a: Side) -> None:
    made = await _mint(client, side_a, scopes=["scheduling"])
    token = str(made["token"])
    assert token.startswith("rgo-")
    assert len(token) == 36
    explicit = await _mint(client, side_a, name="other", scopes=["scheduling"], format="rgo")
    assert str(explicit["token"]).startswith("rgo-")
    listed = await client.get("/v4/meeting-type", headers=_bearer(token))
    assert listed.status_code == 200


async def test_a_pat_token_with_only_resource_scopes_is_refused_on_broad_routes(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    made = await _mint(client, side_a, scopes=["users:read"], format="pat")
    pat = _bearer(str(made["token"]))
    assert (await client.get("/v4/user/me", headers=pat)).status_code == 200  # needs no scope
    for path, scope in (
        ("/v4/meeting-type", "scheduling"),
        ("/v4/availability", "scheduling"),
        (f"/v4/user/{side_a.member_id}", "account"),
    ):
        refused = await client.get(path, headers=pat)
        assert (refused.status_code, refused.json()["message"]) == (403, f"Missing scope: {scope}")


async def test_resource_write_scopes_do_not_grant_scheduling(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    every_resource_scope = [s for s in SCOPES if ":" in s]
    made = await _mint(client, side_a, scopes=every_resource_scope, format="pat")
    refused = await client.get("/v4/meeting-type", headers=_bearer(str(made["token"])))
    assert (refused.status_code, refused.json()["message"]) == (403, "Missing scope: scheduling")


async def test_scopes_mix_and_duplicates_collapse(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    made = await _mint(
        client,
        side_a,
        scopes=["events:read", "scheduling", "events:read", "webhooks:write"],
        format="pat",
    )
    assert made["scopes"] == ["events:read", "scheduling", "webhooks:write"]
    listed = await client.get("/v4/meeting-type", headers=_bearer(str(made["token"])))
    assert listed.status_code == 200


async def test_all_scopes_at_once_are_accepted(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    made = await _mint(client, side_a, scopes=list(SCOPES), format="pat")
    assert made["scopes"] == sorted(SCOPES)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scopes": ["account"], "format": "jwt"}, "format"),
        ({"scopes": ["account"], "format": "PAT"}, "format"),
        ({"scopes": ["account"], "format": None}, "format"),
        ({"scopes": ["events:delete"]}, "scopes[0]"),
        ({"scopes": ["users:read", "users"]}, "scopes[1]"),
        ({"scopes": ["account"] * 13}, "scopes"),
        ({"scopes": []}, "scopes"),
    ],
)
async def test_unknown_format_or_scope_is_400_naming_the_field(
    client: AsyncTestClient[Litestar], side_a: Side, body: dict[str, object], field: str
) -> None:
    response = await client.post(
        f"/v4/user/{side_a.member_id}/personal-access-token",
        json={"name": "x", **body},
        headers=side_a.tenant.headers(),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
