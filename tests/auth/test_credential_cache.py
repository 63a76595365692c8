"""Kept credentials: a known credential is not read again, and every change that could end it
applies at once in the process that made it and as soon as PostgreSQL announces it elsewhere."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.auth import middleware
from slotwise.auth.credential_cache import (
    APPLICATION_NAME,
    CHANNEL,
    CREDENTIAL_CACHE,
    CredentialCache,
)
from slotwise.db.unscoped import FoundCredential
from slotwise.models import CredentialKind
from slotwise.settings import Settings
from tests.support.factories import Side, alter_credential, past

NOTICE_DEADLINE = 3.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests' settings with credentials kept (off by default)."""
    return msgspec.structs.replace(settings, credential_cache_seconds=60)


async def until(check: Callable[[], Awaitable[bool]], seconds: float = NOTICE_DEADLINE) -> float:
    """Seconds until `check` holds (polled); fails past `seconds`."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < seconds, "not within the deadline"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


async def listening(app: Litestar) -> CredentialCache:
    cache = CREDENTIAL_CACHE.of(app.state)

    async def heard() -> bool:
        return cache.listening

    await until(heard)
    return cache


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The lookup ids authentication read from the database, in order."""
    seen: list[str] = []
    real = middleware.find_credential

    async def counting(session: object, lookup_id: str, acting: uuid.UUID | None) -> object:
        seen.append(lookup_id)
        return await real(session, lookup_id, acting)  # type: ignore[arg-type]

    monkeypatch.setattr(middleware, "find_credential", counting)
    return seen


async def test_a_known_credential_is_read_once(
    client: AsyncTestClient[Litestar], app: Litestar, side_a: Side, lookups: list[str]
) -> None:
    await listening(app)
    key = side_a.tenant.headers()
    member = side_a.tenant.headers(side_a.member_id)
    for headers in (key, key, key, member, member):
        assert (await client.get("/v4/user/me", headers=headers)).status_code == 200
    # one read per (credential, acting user); the rest answered from what was kept
    assert len(lookups) == 2
    wrong = {**key, "authorization": key["authorization"][:-2] + "xx"}
    assert (await client.get("/v4/user/me", headers=wrong)).status_code == 401


async def test_a_change_made_elsewhere_applies_once_announced(
    client: AsyncTestClient[Litestar], app: Litestar, side_a: Side, settings: Settings
) -> None:
    await listening(app)
    pat = {"authorization": f"Bearer {side_a.account_pat.token}"}
    as_member = side_a.tenant.headers(side_a.member_id)
    assert (await client.get("/v4/user/me", headers=pat)).status_code == 200
    assert (await client.get("/v4/user/me", headers=as_member)).status_code == 200

    # another process (here: a connection of the test's own) revokes the token and deletes
    # the member the platform key acts for
    await alter_credential(settings, side_a.account_pat.token, revoked_at=past(), active=False)
    conn = await asyncpg.connect(settings.notices_url)
    try:
        await conn.execute('UPDATE "user" SET deleted_at = now() WHERE id = $1', side_a.member_id)
    finally:
        await conn.close()

    async def refused() -> bool:
        return (await client.get("/v4/user/me", headers=pat)).status_code == 401

    assert await until(refused) < 1.0
    assert (await client.get("/v4/user/me", headers=as_member)).status_code == 404


async def test_a_change_made_here_applies_on_the_next_request_without_the_notice(
    client: AsyncTestClient[Litestar],
    app: Litestar,
    side_a: Side,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = await listening(app)
    monkeypatch.setattr(cache, "_announced", lambda *_: None)  # notices go unheard
    owner = side_a.tenant.headers()
    url = f"/v4/user/{side_a.member_id}/personal-access-token"
    created = await client.post(url, json={"name": "Sync", "scopes": ["account"]}, headers=owner)
    token = created.json()
    pat = {"authorization": f"Bearer {token['token']}"}
    assert (await client.get("/v4/user/me", headers=pat)).status_code == 200
    assert len(cache) >= 1

    assert (await client.delete(f"{url}/{token['id']}", headers=owner)).status_code == 204
    assert (await client.get("/v4/user/me", headers=pat)).status_code == 401


async def test_nothing_is_kept_while_the_notices_are_not_heard(
    client: AsyncTestClient[Litestar], app: Litestar, side_a: Side, settings: Settings
) -> None:
    cache = await listening(app)
    pat = {"authorization": f"Bearer {side_a.account_pat.token}"}
    assert (await client.get("/v4/user/me", headers=pat)).status_code == 200
    assert len(cache) == 1

    conn = await asyncpg.connect(settings.notices_url)
    try:
        ended = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = $1",
            APPLICATION_NAME,
        )
        assert [row[0] for row in ended] == [True]

        async def deaf() -> bool:
            return not cache.listening

        await until(deaf)
        assert len(cache) == 0
        # changed while nobody listens: the next request reads the row again
        await conn.execute(
            "UPDATE credential SET expires_at = $1 WHERE lookup_id = $2",
            past(),
            side_a.account_pat.token[4:12],
        )
    finally:
        await conn.close()
    expired = await client.get("/v4/user/me", headers=pat)
    assert (expired.status_code, expired.json()["message"]) == (401, "API key has expired")
    await listening(app)  # and it listens again
    key = side_a.tenant.headers()
    assert (await client.get("/v4/user/me", headers=key)).status_code == 200
    assert len(cache) == 1


async def test_the_database_announces_only_changes_that_matter(
    app: Litestar, side_a: Side, settings: Settings
) -> None:
    heard: list[str] = []
    listener = await asyncpg.connect(settings.notices_url)
    writer = await asyncpg.connect(settings.notices_url)
    lookup = side_a.account_pat.token[4:12]

    async def notices_after(sql: str, *args: object) -> list[str]:
        heard.clear()
        await writer.execute(sql, *args)
        await asyncio.sleep(0.3)
        return list(heard)

    try:
        await listener.add_listener(CHANNEL, lambda *notice: heard.append(notice[3]))
        company = str(side_a.tenant.company_id)
        use = "UPDATE credential SET last_used_at = now() WHERE lookup_id = $1"
        assert await notices_after(use, lookup) == []
        title = 'UPDATE "user" SET title = $1 WHERE id = $2'
        assert await notices_after(title, "Dr", side_a.member_id) == []
        revoke = "UPDATE credential SET revoked_at = now() WHERE lookup_id = $1"
        assert await notices_after(revoke, lookup) == [company]
        role = """UPDATE "user" SET role = 'admin' WHERE id = $1"""
        assert await notices_after(role, side_a.member_id) == [company]
        gone = "DELETE FROM credential_lookup WHERE lookup_id = $1"
        assert await notices_after(gone, lookup) == [company]
    finally:
        await listener.close()
        await writer.close()


def found(last_used: None = None) -> FoundCredential:
    some = uuid.uuid4()
    return FoundCredential(
        some, some, CredentialKind.PAT, "hash", [], some, True, None, None, last_used, some, None
    )


def test_an_entry_lives_at_most_its_seconds_and_only_from_a_current_lookup() -> None:
    now = [100.0]
    cache = CredentialCache(60, clock=lambda: now[0])
    cache.listening = True
    one = found()
    cache.put("abc", None, one, cache.epoch)
    assert cache.get("abc", None) is one
    assert cache.get("abc", uuid.uuid4()) is None
    now[0] += 59.9
    assert cache.get("abc", None) is one
    now[0] += 0.1
    assert cache.get("abc", None) is None

    began = cache.epoch
    cache.forget()  # a change was announced while the lookup ran
    cache.put("abc", None, one, began)
    assert cache.get("abc", None) is None
    cache.listening = False
    cache.put("abc", None, one, cache.epoch)
    assert len(cache) == 0


def test_off_keeps_nothing() -> None:
    cache = CredentialCache(0)
    cache.listening = True
    cache.put("abc", None, found(), cache.epoch)
    assert cache.get("abc", None) is None
