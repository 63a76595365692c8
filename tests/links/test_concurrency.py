"""Twenty invitees book through one one-time link at once, on a real `slotwise serve`
process: exactly one booking is made, every other request is 410, and none is a 5xx.

To be sure the requests really race, the test holds the host's booking lock from its own
connection: the first request to mark the link used waits on it while holding the link's row,
the others wait on that row; once all twenty wait (pg_stat_activity), the lock is let go.
"""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import asyncpg
import httpx
import pytest
from litestar import Litestar

from slotwise.settings import Settings, load_settings
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, with_redis_db
from tests.support.bookings import at, fetch, make_type
from tests.support.factories import Side, attendee_body
from tests.support.servers import running_server

pytestmark = pytest.mark.slow

#: requests of this database blocked on a lock (the host's advisory lock, or the link's row)
BLOCKED = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock'"
)
BOOKERS = 20


@pytest.fixture(scope="module")
def server(database_url: str, service_urls: tuple[str, str]) -> Iterator[str]:
    settings = load_settings(
        {},
        database_url=database_url,
        redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
        argon2_profile="cheapest",
        public_url="https://book.example.test",
        secret_keys=TEST_SECRET_KEYS,
    )
    with running_server(settings) as base:
        yield base


@pytest.fixture
async def http(server: str, app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the server; `app` cleans the database after the test."""
    async with httpx.AsyncClient(base_url=server, timeout=60) as client:
        yield client


async def test_twenty_bookers_on_one_link_one_booking(
    http: httpx.AsyncClient, settings: Settings, side_a: Side
) -> None:
    meeting_type = await make_type(http, side_a, timeslotInterval=15)
    created = await http.post(
        f"/v4/one-time-booking-link/create/{meeting_type['id']}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert created.status_code == 201, created.text
    book_url = f"/v4/public/one-time-link/{created.json()['token']}/book"
    starts = [at(9) + timedelta(minutes=15 * n) for n in range(BOOKERS)]  # all free, no overlap
    bodies = [
        {"start": start.isoformat(), "attendee": attendee_body(f"p{n}@example.test")}
        for n, start in enumerate(starts)
    ]
    lock = f"host:{side_a.member_id}"
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", lock)
        tasks = [asyncio.create_task(http.post(book_url, json=body)) for body in bodies]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        blocked = 0
        while blocked < BOOKERS and loop.time() < deadline:
            await asyncio.sleep(0.02)
            blocked = int(await conn.fetchval(BLOCKED))
        await conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", lock)
        responses = await asyncio.gather(*tasks)
    finally:
        await conn.close()
    assert blocked >= BOOKERS, f"only {blocked} requests waited together"
    outcome = Counter(
        (r.status_code, None if r.status_code == 201 else r.json().get("code")) for r in responses
    )
    assert outcome == {(201, None): 1, (410, "link_used"): BOOKERS - 1}
    [won] = [r.json()["appointmentId"] for r in responses if r.status_code == 201]
    rows = await fetch(
        settings,
        "SELECT id FROM appointment WHERE meeting_type_id = $1",
        uuid.UUID(meeting_type["id"]),
    )
    assert [str(row["id"]) for row in rows] == [won]
    (link,) = await fetch(settings, "SELECT used_at, appointment_id FROM one_time_link")
    assert link["used_at"] is not None
    assert str(link["appointment_id"]) == won
