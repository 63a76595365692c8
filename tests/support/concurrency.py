"""Requests that really race: a real server process, and a lock held until they all wait on it.

The in-process test client runs one request at a time, so races are tried on `slotwise serve`
(`capped_server`: every cap set to `CAP`). `storm` holds an advisory lock the requests take
inside their transactions, sends them all, waits until they are blocked on it together (seen in
pg_stat_activity), then lets go: whatever they check under that lock, they check in turn.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import httpx

from slotwise.settings import Settings, load_settings
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, with_redis_db
from tests.support.servers import running_server

WAITING = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
)
#: every per-owner cap of the capped server
CAP = 3
CAPS = {
    "SLOTWISE_MAX_MEETING_TYPES_PER_USER": str(CAP),
    "SLOTWISE_MAX_EXCEPTIONS_PER_AVAILABILITY": str(CAP),
    "SLOTWISE_MAX_API_KEYS_PER_COMPANY": str(CAP),
    "SLOTWISE_MAX_PERSONAL_ACCESS_TOKENS_PER_USER": str(CAP),
}


@contextmanager
def capped_server(database_url: str, service_urls: tuple[str, str]) -> Iterator[str]:
    """`slotwise serve` on the test database with every cap at `CAP`; yields its base URL."""
    settings = load_settings(
        {},
        database_url=database_url,
        redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
        argon2_profile="cheapest",
        public_url="https://book.example.test",
        secret_keys=TEST_SECRET_KEYS,
    )
    with running_server(settings, extra_env=CAPS) as base:
        yield base


async def storm(
    client: httpx.AsyncClient,
    settings: Settings,
    lock_name: str,
    requests: list[tuple[str, str, Any]],
    headers: dict[str, str],
    *,
    wanted: int | None = None,
) -> list[httpx.Response]:
    """Send every (method, url, body) at once while `lock_name` is held, then release it once
    `wanted` of them (all by default) wait on it; none may answer with a 5xx."""
    wanted = len(requests) if wanted is None else wanted
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", lock_name)
        tasks = [
            asyncio.create_task(client.request(method, url, json=body, headers=headers))
            for method, url, body in requests
        ]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        waiting = 0
        while waiting < wanted and loop.time() < deadline:
            await asyncio.sleep(0.02)
            waiting = int(await conn.fetchval(WAITING))
        await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", lock_name)
        responses = await asyncio.gather(*tasks)
    finally:
        await conn.close()
    assert waiting >= wanted, f"only {waiting} requests waited on {lock_name} together"
    assert not [r.status_code for r in responses if r.status_code >= 500]
    return responses
