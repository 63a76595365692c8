"""Idempotency-Key: replay byte for byte, 422 on a different body, scoped per credential."""

import uuid

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from slotwise.web.idempotency import fingerprint, seal, unseal
from tests.support.factories import Side


def body(email: str) -> dict[str, str]:
    return {"email": email, "givenName": "Ida", "familyName": "Empotent", "timezone": "UTC"}


async def _users(settings: Settings) -> int:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return int(await conn.fetchval('SELECT count(*) FROM "user"'))
    finally:
        await conn.close()


def test_fingerprint_ignores_key_order_and_spacing() -> None:
    one = fingerprint("POST", "/v4/user", b'{"a": 1, "b": [1, 2]}')
    assert one == fingerprint("POST", "/v4/user", b'{"b":[1,2],"a":1}')
    assert one != fingerprint("POST", "/v4/user", b'{"a": 2, "b": [1, 2]}')
    assert one != fingerprint("POST", "/v4/booking", b'{"a": 1, "b": [1, 2]}')


def test_a_body_too_deep_to_decode_is_fingerprinted_as_its_bytes() -> None:
    """A route without a body schema still fingerprints what was sent: thousands of nested
    arrays must not make the decoder recurse into a 500."""
    deep = b"[" * 10_000 + b"]" * 10_000
    assert fingerprint("POST", "/v4/user", deep) == fingerprint("POST", "/v4/user", deep)
    assert fingerprint("POST", "/v4/user", deep) != fingerprint("POST", "/v4/user", deep[1:-1])


def test_a_sealed_answer_opens_only_with_the_same_key_caller_and_request() -> None:
    caller, request_print = uuid.uuid4(), fingerprint("POST", "/v4/api-key", b"{}")
    answer = b'{"apiKey": "ak_live:secret"}'
    sealed = seal(answer, "key-1", caller, request_print)
    assert b"ak_live" not in sealed
    assert sealed != seal(answer, "key-1", caller, request_print), "a fresh nonce each time"
    assert unseal(sealed, "key-1", caller, request_print) == answer
    other_print = fingerprint("POST", "/v4/api-key", b"[]")
    for key, who, what in (
        ("key-2", caller, request_print),
        ("key-1", uuid.uuid4(), request_print),
        ("key-1", caller, other_print),
    ):
        with pytest.raises(InvalidTag):
            unseal(sealed, key, who, what)


async def test_replay_and_mismatch(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    headers = side_a.tenant.headers() | {"Idempotency-Key": "k-1"}
    first = await client.post("/v4/user", json=body("ida@x.test"), headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    users = await _users(settings)
    replay = await client.post("/v4/user", json=body("ida@x.test"), headers=headers)
    assert (replay.status_code, replay.content) == (201, first.content)
    assert replay.headers["idempotent-replayed"] == "true"
    other = await client.post("/v4/user", json=body("other@x.test"), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert await _users(settings) == users


async def test_keys_are_scoped_per_company(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side, side_b: Side
) -> None:
    key = {"Idempotency-Key": "shared-key"}
    a = await client.post("/v4/user", json=body("a@x.test"), headers=side_a.tenant.headers() | key)
    b = await client.post("/v4/user", json=body("b@x.test"), headers=side_b.tenant.headers() | key)
    assert a.status_code == b.status_code == 201
    assert a.json()["userId"] != b.json()["userId"]
    assert "idempotent-replayed" not in b.headers


async def test_failed_request_is_not_stored(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    headers = side_a.tenant.headers() | {"Idempotency-Key": "k-fail"}
    bad = await client.post("/v4/user", json=body("not-an-email"), headers=headers)
    assert bad.status_code == 400
    fixed = await client.post("/v4/user", json=body("not-an-email"), headers=headers)
    assert fixed.status_code == 400
    assert "idempotent-replayed" not in fixed.headers


async def test_expired_records_are_ignored(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    headers = side_a.tenant.headers() | {"Idempotency-Key": "k-old"}
    first = await client.post("/v4/user", json=body("old@x.test"), headers=headers)
    assert first.status_code == 201
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("UPDATE idempotency_record SET expires_at = now() - interval '1 second'")
    finally:
        await conn.close()
    again = await client.post("/v4/user", json=body("old@x.test"), headers=headers)
    assert again.status_code == 409  # the work runs again: the email is taken now
    assert again.json()["message"] == "A user with this email already exists"


async def test_key_must_be_printable_and_short(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    headers = side_a.tenant.headers() | {"Idempotency-Key": "x" * 256}
    response = await client.post("/v4/user", json=body("long@x.test"), headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_availabilities_exceptions_and_meeting_types_replay(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    headers = side_a.tenant.headers(side_a.member_id)
    availability = {"name": "Evenings", "timezone": "Europe/Berlin"}
    meeting_type = {"meetingInfo": {"name": "Replay", "duration": 30, "channel": "zoom"}}
    made: dict[str, str] = {}
    for path, payload in (("/v4/availability", availability), ("/v4/meeting-type", meeting_type)):
        keyed = headers | {"Idempotency-Key": f"create {path}"}
        first = await client.post(path, json=payload, headers=keyed)
        assert first.status_code == 201, first.text
        replay = await client.post(path, json=payload, headers=keyed)
        assert (replay.status_code, replay.content) == (201, first.content)
        assert replay.headers["idempotent-replayed"] == "true"
        made[path] = first.json()["id"]
    listed = await client.get("/v4/meeting-type", headers=headers)
    replays = [t["id"] for t in listed.json() if t["meetingInfo"]["name"] == "Replay"]
    assert replays == [made["/v4/meeting-type"]], "created once"
    exception = {
        "available": False,
        "start": "2030-02-01T09:00:00+01:00",
        "end": "2030-02-01T10:00:00+01:00",
    }
    path = f"/v4/availability/{made['/v4/availability']}/exception"
    keyed = headers | {"Idempotency-Key": "exception"}
    first = await client.post(path, json=exception, headers=keyed)
    assert first.status_code == 201, first.text
    replay = await client.post(path, json=exception, headers=keyed)
    assert replay.content == first.content
    changed = await client.post(path, json=exception | {"available": True}, headers=keyed)
    assert changed.status_code == 422
