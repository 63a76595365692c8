"""Concurrent bookings over HTTP against a real `slotwise serve` process.

The server handles the requests at once on its event loop with its connection pool (the
in-process test client runs one request at a time). To be sure the requests really race, the
test holds the host's booking lock from its own connection, sends every request, waits until
many of them are blocked on that lock inside their transactions (seen in pg_stat_activity),
then lets go.
"""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar

from slotwise.bookings.lifecycle import AppointmentLifecycle
from slotwise.settings import Settings, load_settings
from slotwise.users.service import UserService
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, with_redis_db
from tests.support.bookings import Client, at, book, booking, fetch, make_type
from tests.support.concurrency import WAITING
from tests.support.concurrency import storm as storm_on
from tests.support.factories import Side, attendee_body, owner_principal, session_for
from tests.support.servers import running_server

#: pairs of blocking appointments of one host whose times overlap, or whose buffers reach
#: into the other meeting (own time against the other's time widened by its buffers)
CONFLICTS = """
SELECT count(*) FROM appointment a JOIN appointment b
  ON a.host_user_id = b.host_user_id AND a.id < b.id
WHERE a.status IN ('confirmed', 'pending') AND b.status IN ('confirmed', 'pending')
  AND (
    tstzrange(a.start_at, a.end_at) && tstzrange(b.start_at, b.end_at)
    OR tstzrange(a.start_at - make_interval(mins => a.buffer_before),
                 a.end_at + make_interval(mins => a.buffer_after))
       && tstzrange(b.start_at, b.end_at)
    OR tstzrange(a.start_at, a.end_at)
       && tstzrange(b.start_at - make_interval(mins => b.buffer_before),
                    b.end_at + make_interval(mins => b.buffer_after))
  )
"""


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(database_url: str, service_urls: tuple[str, str]) -> Iterator[str]:
    """One server process for the module, on the test database (pool: 20 + 10 overflow)."""
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


async def storm(
    client: Client,
    settings: Settings,
    host_id: uuid.UUID,
    requests: list[tuple[str, str, dict[str, Any]]],
    headers: dict[str, str],
) -> list[Any]:
    """Send every (method, url, body) at once while the host's lock is held, then release it."""
    wanted = min(len(requests), 20)
    return await storm_on(client, settings, f"host:{host_id}", requests, headers, wanted=wanted)


async def book_all(
    client: Client, settings: Settings, side: Side, mt: dict[str, Any], starts: list[datetime]
) -> list[Any]:
    requests = [
        ("POST", "/v4/booking", booking(mt, start, attendee=attendee_body(f"p{n}@example.test")))
        for n, start in enumerate(starts)
    ]
    return await storm(client, settings, side.member_id, requests, side.tenant.headers())


def outcome(responses: list[Any]) -> Counter[tuple[int, str | None]]:
    return Counter(
        (r.status_code, r.json().get("code") if r.status_code != 201 else None) for r in responses
    )


async def blocking_rows(settings: Settings, mt: dict[str, Any]) -> list[datetime]:
    rows = await fetch(
        settings,
        "SELECT start_at FROM appointment WHERE meeting_type_id = $1 "
        "AND status IN ('confirmed', 'pending') ORDER BY start_at",
        uuid.UUID(mt["id"]),
    )
    return [row["start_at"] for row in rows]


async def conflicts(settings: Settings) -> int:
    return int((await fetch(settings, CONFLICTS))[0]["count"])


async def test_fifty_requests_for_one_slot_one_winner(
    http: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(http, side_a)
    responses = await book_all(http, settings, side_a, mt, [at(10)] * 50)
    assert outcome(responses) == {(201, None): 1, (409, "slot_unavailable"): 49}
    assert await blocking_rows(settings, mt) == [at(10)]
    assert await conflicts(settings) == 0


async def test_partially_overlapping_starts_one_winner(
    http: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(http, side_a, meetingInfo={"duration": 60}, timeslotInterval=15)
    starts = [at(10, 15 * (n % 4)) for n in range(50)]  # 10:00-10:45: every pair overlaps
    responses = await book_all(http, settings, side_a, mt, starts)
    assert outcome(responses) == {(201, None): 1, (409, "slot_unavailable"): 49}
    assert len(await blocking_rows(settings, mt)) == 1
    assert await conflicts(settings) == 0


async def test_buffers_hold_under_concurrency(
    http: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(
        http,
        side_a,
        meetingInfo={"duration": 30, "bufferBefore": 15, "bufferAfter": 15},
        timeslotInterval=15,
    )
    # 10:00 and 10:30 do not overlap, but each is inside the other's buffer
    starts = [at(10, 15 * (n % 3)) for n in range(50)]
    responses = await book_all(http, settings, side_a, mt, starts)
    assert outcome(responses) == {(201, None): 1, (409, "slot_unavailable"): 49}
    assert len(await blocking_rows(settings, mt)) == 1
    assert await conflicts(settings) == 0


def _compatible(a: datetime, b: datetime, length: timedelta, buffer: timedelta) -> bool:
    first, second = sorted((a, b))
    return second >= first + length + buffer


async def test_spread_of_starts_keeps_a_maximal_conflict_free_set(
    http: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(
        http,
        side_a,
        meetingInfo={"duration": 45, "bufferBefore": 10, "bufferAfter": 10},
        timeslotInterval=15,
    )
    candidates = [at(9) + timedelta(minutes=15 * n) for n in range(28)]  # 09:00-15:45
    starts = [candidates[(n * 11) % len(candidates)] for n in range(50)]
    responses = await book_all(http, settings, side_a, mt, starts)
    won = await blocking_rows(settings, mt)
    assert Counter(r.status_code for r in responses) == {201: len(won), 409: 50 - len(won)}
    assert await conflicts(settings) == 0
    length, buffer = timedelta(minutes=45), timedelta(minutes=10)
    for a in won:
        assert all(a == b or _compatible(a, b, length, buffer) for b in won)
    # maximal: every start that was asked for and lost conflicts with a winner
    for start in set(starts) - set(won):
        assert not all(_compatible(start, w, length, buffer) for w in won), start


async def test_ten_bookers_three_seats(http: Client, settings: Settings, side_a: Side) -> None:
    mt = await make_type(http, side_a, spots=3)
    responses = await book_all(http, settings, side_a, mt, [at(10)] * 10)
    assert outcome(responses) == {(201, None): 3, (409, "slot_unavailable"): 7}
    ids = {r.json()["appointmentId"] for r in responses if r.status_code == 201}
    assert len(ids) == 1
    [appointment_id] = ids
    rows = await fetch(
        settings,
        "SELECT count(*) AS n FROM attendee WHERE appointment_id = $1 AND cancelled_at IS NULL",
        uuid.UUID(appointment_id),
    )
    assert rows[0]["n"] == 3
    assert await blocking_rows(settings, mt) == [at(10)]
    day = at(10).date()
    report = await http.get(
        f"/v4/booking-availability?meetingTypeId={mt['id']}&start={day}&end={day}"
        "&troubleshoot=true",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    [full] = [b for b in report.json()["blocked"] if b["appointmentId"] == appointment_id]
    assert full["reason"] == "full"


async def test_cancel_then_concurrent_rebook_one_winner(
    http: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(http, side_a)
    first = await book(http, side_a, mt, at(10))
    cancelled = await http.post(
        f"/v4/appointment/{first['appointmentId']}/cancel",
        json={"reason": "moved"},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert cancelled.status_code == 200
    responses = await book_all(http, settings, side_a, mt, [at(10)] * 20)
    assert outcome(responses) == {(201, None): 1, (409, "slot_unavailable"): 19}
    assert await blocking_rows(settings, mt) == [at(10)]


async def test_constraint_refuses_concurrent_overlaps_without_the_slot_check(
    http: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(http, side_a)
    requests = [
        ("POST", "/v4/booking", booking(mt, at(22, n % 2 * 15)) | {"ignoreAvailability": True})
        for n in range(30)
    ]
    responses = await storm(http, settings, side_a.member_id, requests, side_a.tenant.headers())
    assert outcome(responses) == {(201, None): 1, (409, "slot_unavailable"): 29}
    assert await conflicts(settings) == 0


async def test_concurrent_reschedules_into_one_slot(
    http: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(http, side_a)
    ids = [(await book(http, side_a, mt, at(9 + n)))["appointmentId"] for n in range(6)]
    requests = [
        ("POST", f"/v4/appointment/{i}/reschedule", {"start": at(16).isoformat()}) for i in ids
    ]
    headers = side_a.tenant.headers(side_a.member_id)
    responses = await storm(http, settings, side_a.member_id, requests, headers)
    assert outcome(responses) == {(200, None): 1, (409, "slot_unavailable"): 5}
    assert (await blocking_rows(settings, mt)).count(at(16)) == 1


@pytest.mark.parametrize("ignore_availability", [False, True])
async def test_a_booking_racing_the_hosts_deletion_is_409(
    http: Client, settings: Settings, side_a: Side, ignore_availability: bool
) -> None:
    """The deletion holds the host's booking lock while a booking that passed its checks
    waits for it; once the deletion commits, the booking answers 409 `host_deleted`."""
    mt = await make_type(http, side_a)
    body = booking(mt, at(10)) | {"ignoreAvailability": ignore_availability}
    async with session_for(settings) as session:
        await AppointmentLifecycle(session, side_a.tenant.company_id).hold(
            side_a.member_id, datetime.now(UTC)
        )
        racing = asyncio.create_task(
            http.post("/v4/booking", json=body, headers=side_a.tenant.headers())
        )
        await _blocked_on_a_lock(settings, racing)
        await UserService(session, owner_principal(side_a.tenant)).delete(side_a.member_id, None)
    response = await racing
    assert (response.status_code, response.json()["code"]) == (409, "host_deleted"), response.text
    assert (
        response.json()["message"]
        == "The host of this meeting type was deleted; it takes no bookings"
    )
    rows = await fetch(
        settings,
        "SELECT count(*) AS n FROM appointment WHERE meeting_type_id = $1",
        uuid.UUID(mt["id"]),
    )
    assert rows[0]["n"] == 0


async def _blocked_on_a_lock(settings: Settings, request: asyncio.Task[Any]) -> None:
    """Wait until another connection waits on an advisory lock (the booking, held by ours)."""
    for _ in range(500):
        assert not request.done(), request.result().text
        [row] = await fetch(settings, WAITING)
        if row["count"] >= 1:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the booking never waited for the host's lock")
