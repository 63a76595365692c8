"""Credential management over HTTP: keys and tokens, shown once, revocable at once."""

import logging

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.factories import Side, alter_credential, past


async def test_api_key_lifecycle(client: AsyncTestClient[Litestar], side_a: Side) -> None:
    owner = side_a.tenant.headers()
    created = await client.post(
        "/v4/api-key", json={"name": "CI", "expiresInDays": 7}, headers=owner
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "active"
    assert body["apiKey"].startswith(f"ak_live:{body['id']}:")
    new_key = {"authorization": f"Bearer {body['apiKey']}"}
    assert (await client.get("/v4/user/me", headers=new_key)).status_code == 200

    listed = (await client.get("/v4/api-key", headers=owner)).json()
    mine = next(k for k in listed if k["id"] == body["id"])
    assert mine["name"] == "CI"
    assert body["apiKey"].split(":")[2] not in str(listed)

    off = await client.post(f"/v4/api-key/{body['id']}/deactivate", headers=owner)
    assert off.json()["status"] == "inactive"
    refused = await client.get("/v4/user/me", headers=new_key)
    assert (refused.status_code, refused.json()["message"]) == (401, "Invalid API key")

    on = await client.post(f"/v4/api-key/{body['id']}/activate", headers=owner)
    assert on.json()["status"] == "active"
    assert (await client.get("/v4/user/me", headers=new_key)).status_code == 200

    assert (await client.delete(f"/v4/api-key/{body['id']}", headers=owner)).status_code == 204
    assert (await client.get("/v4/user/me", headers=new_key)).status_code == 401
    for action in ("activate", "deactivate"):
        again = await client.post(f"/v4/api-key/{body['id']}/{action}", headers=owner)
        assert again.status_code == 409
        assert again.json()["message"] == "The API key is revoked; revocation is final"
    assert (await client.get("/v4/user/me", headers=new_key)).status_code == 401
    listed = (await client.get("/v4/api-key", headers=owner)).json()
    assert next(k for k in listed if k["id"] == body["id"])["status"] == "revoked"


@pytest.mark.parametrize("days", [0, 91, -1, "seven"])
async def test_key_expiry_must_be_1_to_90_days(
    client: AsyncTestClient[Litestar], side_a: Side, days: object
) -> None:
    response = await client.post(
        "/v4/api-key", json={"expiresInDays": days}, headers=side_a.tenant.headers()
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "expiresInDays"


async def test_personal_access_token_lifecycle(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    owner = side_a.tenant.headers()
    url = f"/v4/user/{side_a.member_id}/personal-access-token"
    created = await client.post(url, json={"name": "Zapier", "scopes": ["account"]}, headers=owner)
    assert created.status_code == 201
    token = created.json()
    assert token["token"].startswith("rgo-")
    assert token["scopes"] == ["account"]
    pat = {"authorization": f"Bearer {token['token']}"}
    me = await client.get("/v4/user/me", headers=pat)
    assert me.json()["id"] == str(side_a.member_id)

    duplicate = await client.post(
        url, json={"name": "Zapier", "scopes": ["account"]}, headers=owner
    )
    assert duplicate.status_code == 409

    listed = await client.get(url, headers=owner)
    assert {t["name"] for t in listed.json()} >= {"Zapier"}
    assert token["token"] not in listed.text

    revoke = await client.delete(f"{url}/{token['id']}", headers=owner)
    assert revoke.status_code == 204
    assert (await client.get("/v4/user/me", headers=pat)).status_code == 401
    reused = await client.post(url, json={"name": "Zapier", "scopes": ["account"]}, headers=owner)
    assert reused.status_code == 201


async def test_token_scope_and_expiry_validation(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    url = f"/v4/user/{side_a.member_id}/personal-access-token"
    owner = side_a.tenant.headers()
    bad_scope = await client.post(url, json={"name": "x", "scopes": ["crm"]}, headers=owner)
    assert bad_scope.status_code == 400
    assert bad_scope.json()["errors"][0]["field"] == "scopes[0]"
    past = await client.post(
        url,
        json={"name": "x", "scopes": ["account"], "expiresAt": "2020-01-01T00:00:00Z"},
        headers=owner,
    )
    assert past.status_code == 400
    assert past.json()["errors"][0]["field"] == "expiresAt"


async def test_expired_token_is_refused(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    pat = {"authorization": f"Bearer {side_a.account_pat.token}"}
    assert (await client.get("/v4/user/me", headers=pat)).status_code == 200
    await alter_credential(settings, side_a.account_pat.token, expires_at=past())
    expired = await client.get("/v4/user/me", headers=pat)
    assert (expired.status_code, expired.json()["message"]) == (401, "API key has expired")


async def test_acting_user_header_rules(client: AsyncTestClient[Litestar], side_a: Side) -> None:
    key = side_a.tenant.headers()
    as_owner = await client.get("/v4/user/me", headers=key)
    assert as_owner.json()["id"] == str(side_a.tenant.owner_id)
    as_member = await client.get("/v4/user/me", headers=side_a.tenant.headers(side_a.member_id))
    assert as_member.json()["id"] == str(side_a.member_id)
    garbage = await client.get(
        "/v4/user/me", headers=key | {"x-meetergo-api-user-id": "not-a-uuid"}
    )
    assert (garbage.status_code, garbage.json()["message"]) == (404, "User not found")
    # a route about a user, with a platform key and no acting user: meetergo's 400
    missing = await client.get("/v4/meeting-type", headers=key)
    assert (missing.status_code, missing.json()["message"]) == (
        400,
        "Missing required header 'x-meetergo-api-user-id' for API key authentication",
    )

    pat = {"authorization": f"Bearer {side_a.account_pat.token}"}
    own = await client.get(
        "/v4/user/me", headers=pat | {"x-meetergo-api-user-id": str(side_a.member_id)}
    )
    assert own.status_code == 200
    other = await client.get(
        "/v4/user/me", headers=pat | {"x-meetergo-api-user-id": str(side_a.admin_id)}
    )
    assert other.status_code == 403


async def test_secrets_are_stored_only_as_argon2id_hashes(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    side_a: Side,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    owner = side_a.tenant.headers()
    created = (await client.post("/v4/api-key", json={"expiresInDays": 3}, headers=owner)).json()
    token = (
        await client.post(
            f"/v4/user/{side_a.member_id}/personal-access-token",
            json={"name": "crm", "scopes": ["account"]},
            headers=owner,
        )
    ).json()
    await client.get("/v4/user/me", headers={"authorization": f"Bearer {created['apiKey']}"})
    secrets = [
        created["apiKey"].split(":")[2],
        token["token"][12:],
        side_a.tenant.api_key.split(":")[2],
        side_a.scheduling_pat.token[12:],
    ]
    conn = await asyncpg.connect(settings.database_url)
    try:
        dump = ""
        for row in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'"):
            rows = await conn.fetch(f'SELECT t::text AS r FROM "{row["tablename"]}" t')  # noqa: S608
            dump += "\n".join(r["r"] for r in rows)
        hashes = await conn.fetch("SELECT secret_hash FROM credential")
    finally:
        await conn.close()
    for secret in secrets:
        assert secret not in dump
        assert secret not in caplog.text
    assert all(h["secret_hash"].startswith("$argon2id$") for h in hashes)
