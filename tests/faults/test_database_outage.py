"""PostgreSQL lost under a real server process: every app connection terminated mid-stream,
and the database refusing connections. Requests in the outage get 503 with Retry-After in the
error envelope, never 500; the server recovers by itself; no booking is lost or made twice.

The server runs over a database of its own, so terminating its connections (and closing the
database to connections) touches nothing else on the PostgreSQL server.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from slotwise.app import create_app
from slotwise.cli.migrate import upgrade
from slotwise.settings import Settings, load_settings
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, scratch_database, with_redis_db
from tests.support.bookings import at, booking, fetch, make_type, monday
from tests.support.factories import Side, attendee_body, make_side, make_webhook
from tests.support.servers import free_port, running_server

pytestmark = pytest.mark.slow

#: the server's own connections to its database (not the test's)
APP_CONNECTIONS = "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
WAITING = (
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
)


@dataclass(frozen=True)
class Target:
    settings: Settings
    base: str
    side: Side
    #: a connection URL to another database of the server, to close this one
    admin_url: str

    @property
    def database(self) -> str:
        return (self.settings.database_url or "").rsplit("/", 1)[1].partition("?")[0]


@pytest.fixture(scope="module")
def target(service_urls: tuple[str, str]) -> Iterator[Target]:
    with scratch_database(service_urls[0], "slotwise_outage") as url:
        upgrade(url)
        settings = load_settings(
            {},
            database_url=url,
            redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
            argon2_profile="cheapest",
            public_url="https://book.example.test",
            secret_keys=TEST_SECRET_KEYS,
        )
        side = asyncio.run(make_side(settings, "Outage"))
        asyncio.run(make_webhook(settings, side.tenant, event_types=("booking_created",)))
        with running_server(settings) as base:
            yield Target(settings, base, side, service_urls[0])


@pytest.fixture
async def http(target: Target) -> Any:
    async with httpx.AsyncClient(base_url=target.base, timeout=30) as client:
        yield client


async def terminate_app_connections(conn: asyncpg.Connection, database: str) -> int:
    pids = [row["pid"] for row in await conn.fetch(APP_CONNECTIONS, database)]
    for pid in pids:
        await conn.execute("SELECT pg_terminate_backend($1)", pid)
    return len(pids)


_taken = 0


def slots(count: int) -> list[datetime]:
    """`count` new half-hour starts, Monday to Friday 09:00-17:00 Berlin, none overlapping."""
    global _taken
    first, _taken = _taken, _taken + count
    week = monday(3)
    return [
        at(9 + (n % 16) // 2, 30 * (n % 2), day=week + timedelta(days=7 * (n // 80) + n % 80 // 16))
        for n in range(first, first + count)
    ]


async def bookings(http: httpx.AsyncClient, target: Target, count: int) -> list[dict[str, Any]]:
    meeting_type = await make_type(http, target.side)
    return [
        booking(meeting_type, start, attendee=attendee_body(f"o{_taken}-{n}@outage.test"))
        for n, start in enumerate(slots(count))
    ]


async def post_all(
    http: httpx.AsyncClient, target: Target, bodies: list[dict[str, Any]]
) -> list[httpx.Response]:
    headers = target.side.tenant.headers()
    return list(
        await asyncio.gather(*(http.post("/v4/booking", json=b, headers=headers) for b in bodies))
    )


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["statusCode"] == 503, body
    assert body["code"] == "service_unavailable", body
    assert body["requestId"] == response.headers["x-request-id"]
    assert int(response.headers["retry-after"]) >= 1


async def assert_each_booked_once(
    target: Target, bodies: list[dict[str, Any]], responses: list[httpx.Response]
) -> None:
    """Every 201 is one appointment with its attendee; nothing is there twice; every stored
    booking has its one webhook event and delivery (committed with it), none lost."""
    rows = await fetch(
        target.settings,
        "SELECT a.id::text AS id, t.email FROM appointment a JOIN attendee t "
        "ON t.appointment_id = a.id WHERE t.email = ANY($1::text[])",
        [b["attendee"]["email"] for b in bodies],
    )
    per_email = Counter(row["email"] for row in rows)
    assert max(per_email.values(), default=0) <= 1, per_email.most_common(3)
    stored = {row["email"]: row["id"] for row in rows}
    for body, response in zip(bodies, responses, strict=True):
        if response.status_code == 201:
            assert stored.get(body["attendee"]["email"]) == response.json()["appointmentId"]
    events = await fetch(
        target.settings,
        "SELECT convert_from(e.payload, 'UTF8')::jsonb->>'id' AS id, count(d.id) AS deliveries"
        " FROM webhook_event e"
        " LEFT JOIN webhook_delivery d ON d.company_id = e.company_id AND d.event_id = e.id"
        " WHERE e.type = 'booking_created' GROUP BY e.company_id, e.id",
    )
    per_booking = Counter(row["id"] for row in events if row["id"] in set(stored.values()))
    assert per_booking == Counter(set(stored.values()))
    assert all(row["deliveries"] == 1 for row in events)


async def test_connections_terminated_mid_stream(target: Target, http: httpx.AsyncClient) -> None:
    bodies = await bookings(http, target, 40)
    headers = target.side.tenant.headers()
    admin = await asyncpg.connect(target.settings.database_url)
    try:
        # eight requests inside their transactions, waiting for the host's lock
        key = f"host:{target.side.member_id}"
        await admin.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", key)
        blocked = [
            asyncio.create_task(http.post("/v4/booking", json=body, headers=headers))
            for body in bodies[:8]
        ]
        deadline = time.monotonic() + 15
        while int(await admin.fetchval(WAITING)) < 8:
            assert time.monotonic() < deadline, "the requests did not reach the database"
            await asyncio.sleep(0.02)
        killed = await terminate_app_connections(admin, target.database)
        cut_at = time.monotonic()
        await admin.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", key)
    finally:
        await admin.close()
    responses = [await task for task in blocked]
    # then the stream goes on, four at a time
    recovered_after = None
    for first in range(8, len(bodies), 4):
        batch = await post_all(http, target, bodies[first : first + 4])
        responses += batch
        if recovered_after is None and any(r.status_code == 201 for r in batch):
            recovered_after = time.monotonic() - cut_at
    assert killed >= 8
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {201, 503}, statuses
    for response in responses[:8]:
        assert_unavailable(response)
    assert recovered_after is not None
    assert recovered_after < 5, recovered_after
    assert all(r.status_code == 201 for r in responses[-8:]), statuses
    await assert_each_booked_once(target, bodies, responses)


async def test_connections_terminated_while_idle_cost_no_request(
    target: Target, http: httpx.AsyncClient
) -> None:
    bodies = await bookings(http, target, 16)
    assert all(r.status_code == 201 for r in await post_all(http, target, bodies[:8]))
    admin = await asyncpg.connect(target.settings.database_url)
    try:  # the pool's idle connections are gone (a database restart, a failover)
        assert await terminate_app_connections(admin, target.database) >= 4
    finally:
        await admin.close()
    responses = await post_all(http, target, bodies[8:])
    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]
    await assert_each_booked_once(target, bodies[8:], responses)


async def test_a_database_refusing_connections(target: Target, http: httpx.AsyncClient) -> None:
    bodies = await bookings(http, target, 8)
    admin = await asyncpg.connect(target.admin_url)
    try:
        await admin.execute(f'ALTER DATABASE "{target.database}" ALLOW_CONNECTIONS false')
        try:
            await terminate_app_connections(admin, target.database)
            refused = await post_all(http, target, bodies[:4])
            ready = await http.get("/health/ready")
        finally:
            await admin.execute(f'ALTER DATABASE "{target.database}" ALLOW_CONNECTIONS true')
    finally:
        await admin.close()
    for response in refused:
        assert_unavailable(response)
    assert ready.status_code == 503
    assert ready.json()["checks"]["postgres"].startswith("error")
    opened_at = time.monotonic()
    responses = await post_all(http, target, bodies[4:])
    assert [r.status_code for r in responses] == [201] * 4, [r.text for r in responses]
    assert time.monotonic() - opened_at < 5
    await assert_each_booked_once(target, bodies, refused + responses)


async def test_no_database_server_listening(target: Target) -> None:
    nowhere = target.settings.async_database_url.replace(":5432/", f":{free_port()}/")
    assert nowhere != target.settings.async_database_url
    offline = msgspec.structs.replace(target.settings, database_url=nowhere)
    async with AsyncTestClient(create_app(offline)) as client:
        body = {"meetingTypeId": "x", "start": "2030-01-07T09:00:00Z"}
        response = await client.post("/v4/booking", json=body, headers=target.side.tenant.headers())
        ready = await client.get("/health/ready")
    assert response.status_code == 503, response.text
    assert response.json()["code"] == "service_unavailable"
    assert int(response.headers["retry-after"]) >= 1
    assert ready.status_code == 503
