"""GET /v4/booking-availability over HTTP: rules from the database, busy time, bad input."""

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import anyio
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event

from slotwise.db.session import ENGINE
from slotwise.models import Appointment, AppointmentStatus, Attendee
from slotwise.settings import Settings
from tests.support import bookings as support
from tests.support.factories import Side, session_for

BERLIN = support.BERLIN


SLOT_HOURS = {
    "name": "Slot hours",
    "timezone": "Europe/Berlin",
    "schedule": {
        "monday": {
            "enabled": True,
            "hours": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "15:00"}],
        }
    },
}


async def make_type(
    client: AsyncTestClient[Litestar], side: Side, **overrides: Any
) -> dict[str, Any]:
    """A 30-minute type of the member, bookable Mondays 09:00-12:00 and 13:00-15:00 Berlin."""
    return await support.make_type(client, side, availability=SLOT_HOURS, **overrides)


async def book(
    settings: Settings,
    side: Side,
    meeting_type_id: str,
    start: datetime,
    minutes: int = 30,
    *,
    spots: int = 1,
    attendees: int = 1,
    buffers: tuple[int, int] = (0, 0),
) -> uuid.UUID:
    """Insert a confirmed appointment directly (the booking API is tested elsewhere)."""
    async with session_for(settings) as session:
        appointment = Appointment(
            id=uuid.uuid4(),
            company_id=side.tenant.company_id,
            meeting_type_id=uuid.UUID(meeting_type_id),
            host_user_id=side.member_id,
            start_at=start,
            end_at=start + timedelta(minutes=minutes),
            status=AppointmentStatus.CONFIRMED,
            buffer_before=buffers[0],
            buffer_after=buffers[1],
            total_spots=spots,
            meeting_info={},
            secret_hash=hashlib.sha256(b"x").hexdigest(),
            request={},
        )
        session.add(appointment)
        await session.flush()
        for n in range(attendees):
            session.add(
                Attendee(
                    company_id=side.tenant.company_id,
                    appointment_id=appointment.id,
                    email=f"a{n}@x.test",
                    firstname="A",
                    lastname=str(n),
                )
            )
        return appointment.id


def starts(body: dict[str, Any], day: date) -> list[str]:
    for entry in body["dates"]:
        if entry["date"] == day.isoformat():
            return [spot["startTime"][11:16] for spot in entry["spots"]]
    return []


async def slots(
    client: AsyncTestClient[Litestar], side: Side, query: str
) -> tuple[int, dict[str, Any]]:
    response = await client.get(
        f"/v4/booking-availability?{query}", headers=side.tenant.headers(side.member_id)
    )
    return response.status_code, response.json()


async def test_weekly_hours_with_a_break(client: AsyncTestClient[Litestar], side_a: Side) -> None:
    mt = await make_type(client, side_a)
    monday = support.monday()
    status, body = await slots(
        client, side_a, f"meetingTypeId={mt['id']}&start={monday}&end={monday + timedelta(days=6)}"
    )
    assert status == 200
    assert body["timezone"] == "Europe/Berlin"
    assert [d["date"] for d in body["dates"]] == [monday.isoformat()]
    assert starts(body, monday) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "11:30",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
    ]
    first = body["dates"][0]["spots"][0]
    offset = datetime.combine(monday, datetime.min.time(), BERLIN).strftime("%z")
    assert first["startTime"] == f"{monday}T09:00:00{offset[:3]}:{offset[3:]}"
    assert body["earliestAvailableDate"] == monday.isoformat()


async def test_requested_timezone_moves_dates_and_offsets(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    mt = await make_type(client, side_a)
    monday = support.monday()
    status, body = await slots(
        client, side_a, f"meetingTypeId={mt['id']}&start={monday}&end={monday}&timezone=Asia/Tokyo"
    )
    assert status == 200
    assert body["timezone"] == "Asia/Tokyo"
    tokyo = [
        (
            datetime.combine(monday, datetime.min.time(), BERLIN) + timedelta(hours=h, minutes=m)
        ).astimezone(ZoneInfo("Asia/Tokyo"))
        for h, m in ((9, 0), (9, 30))
    ]
    listed = [s["startTime"] for d in body["dates"] for s in d["spots"]]
    assert tokyo[0].isoformat() in listed or tokyo[0].date() != monday
    assert all(s.endswith("+09:00") for s in listed)


async def test_busy_time_and_buffers_block_slots(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    mt = await make_type(
        client,
        side_a,
        meetingInfo={
            "name": "Buffered",
            "duration": 30,
            "channel": "zoom",
            "bufferBefore": 15,
            "bufferAfter": 15,
        },
    )
    monday = support.monday()
    ten = datetime.combine(monday, datetime.min.time(), BERLIN) + timedelta(hours=10)
    appointment = await book(settings, side_a, mt["id"], ten.astimezone(UTC), buffers=(15, 15))
    query = f"meetingTypeId={mt['id']}&start={monday}&end={monday}"
    status, body = await slots(client, side_a, query)
    assert status == 200
    # 10:00-10:30 is taken; 15-minute buffers on both sides keep 09:30 and 10:30 free of it.
    assert starts(body, monday)[:6] == ["09:00", "11:00", "11:30", "13:00", "13:30", "14:00"]
    assert body["timeframes"][0]["start"].startswith(ten.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
    status, ignoring = await slots(client, side_a, f"{query}&existingAppointmentId={appointment}")
    assert "10:00" in starts(ignoring, monday)
    assert "09:30" in starts(ignoring, monday)


async def test_group_slots_show_seats(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a, spots=3)
    monday = support.monday()
    nine = datetime.combine(monday, datetime.min.time(), BERLIN) + timedelta(hours=9)
    group = await book(settings, side_a, mt["id"], nine.astimezone(UTC), spots=3, attendees=2)
    full_at = nine + timedelta(minutes=60)
    await book(settings, side_a, mt["id"], full_at.astimezone(UTC), spots=3, attendees=3)
    status, body = await slots(
        client, side_a, f"meetingTypeId={mt['id']}&start={monday}&end={monday}"
    )
    assert status == 200
    spots = body["dates"][0]["spots"]
    assert spots[0]["appointment"] == {"id": str(group), "totalSpots": 3, "takenSpots": 2}
    assert "appointment" not in spots[1]
    assert "10:00" not in starts(body, monday)


async def test_troubleshoot_says_why(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a)
    monday = support.monday()
    ten = datetime.combine(monday, datetime.min.time(), BERLIN) + timedelta(hours=10)
    appointment = await book(settings, side_a, mt["id"], ten.astimezone(UTC))
    status, body = await slots(
        client, side_a, f"meetingTypeId={mt['id']}&start={monday}&end={monday}&troubleshoot=true"
    )
    assert status == 200
    reasons = {b["startTime"][11:16]: b for b in body["blocked"]}
    assert reasons["10:00"]["reason"] == "busy"
    assert reasons["10:00"]["appointmentId"] == str(appointment)
    assert "12:00" not in reasons  # between the two ranges: not a candidate at all


async def test_exceptions_block_and_open_time(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    mt = await make_type(client, side_a)
    monday = support.monday()
    local = datetime.combine(monday, datetime.min.time(), BERLIN)
    url = f"/v4/availability/{mt['availabilityId']}/exception"
    headers = side_a.tenant.headers(side_a.member_id)
    for available, start, end in ((False, 13, 14), (True, 17, 18)):
        created = await client.post(
            url,
            json={
                "available": available,
                "start": (local + timedelta(hours=start)).isoformat(),
                "end": (local + timedelta(hours=end)).isoformat(),
            },
            headers=headers,
        )
        assert created.status_code == 201, created.text
    status, body = await slots(
        client, side_a, f"meetingTypeId={mt['id']}&start={monday}&end={monday}&troubleshoot=true"
    )
    assert status == 200
    assert starts(body, monday)[-4:] == ["14:00", "14:30", "17:00", "17:30"]
    reasons = {b["startTime"][11:16]: b["reason"] for b in body["blocked"]}
    assert reasons["13:00"] == reasons["13:30"] == "exception"


async def test_aliases_and_durations(client: AsyncTestClient[Litestar], side_a: Side) -> None:
    mt = await make_type(client, side_a, meetingOptions={"allowedDurations": [60]})
    monday = support.monday()
    base = f"meetingTypeId={mt['id']}"
    for pair in (f"startDate={monday}&endDate={monday}", f"from={monday}&to={monday}"):
        status, body = await slots(client, side_a, f"{base}&{pair}")
        assert (status, len(starts(body, monday))) == (200, 10), pair
    status, body = await slots(
        client, side_a, f"{base}&start={monday}&end={monday}&meetingDuration=60"
    )
    assert starts(body, monday) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
        "13:00",
        "13:30",
        "14:00",
    ]
    status, body = await slots(
        client, side_a, f"{base}&start={monday}&end={monday}&meetingDuration=45"
    )
    assert status == 400
    assert body["errors"][0]["field"] == "meetingDuration"
    status, body = await slots(
        client, side_a, f"{base}&start={monday}&end={monday}&hostIds={side_a.member_id}"
    )
    assert status == 200
    status, body = await slots(
        client, side_a, f"{base}&start={monday}&end={monday}&hostIds={side_a.admin_id}"
    )
    assert (status, body["errors"][0]["field"]) == (400, "hostIds")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2030-01-10&end=2030-01-01", "end"),
        ("start=2030-01-01&end=2030-03-05", "end"),
        ("start=2030-13-01&end=2030-01-01", "start"),
        ("start=0001-01-01&end=0001-01-01", "start"),  # out of range was a 500
        ("start=9999-12-31&end=9999-12-31", "end"),
        ("end=2030-01-01", "start"),
        ("start=2030-01-01&end=2030-01-02&timezone=Mars/Base", "timezone"),
        ("start=2030-01-01&end=2030-01-02&existingAppointmentId=nope", "existingAppointmentId"),
    ],
)
async def test_bad_parameters_are_named(
    client: AsyncTestClient[Litestar], side_a: Side, query: str, field: str
) -> None:
    mt = await make_type(client, side_a)
    status, body = await slots(client, side_a, f"meetingTypeId={mt['id']}&{query}")
    assert status == 400, body
    assert field in {e["field"] for e in body["errors"]}


async def test_unknown_meeting_type_is_404(client: AsyncTestClient[Litestar], side_a: Side) -> None:
    status, body = await slots(
        client, side_a, f"meetingTypeId={uuid.uuid4()}&start=2030-01-01&end=2030-01-02"
    )
    assert (status, body["message"]) == (404, "Meeting type not found")
    status, body = await slots(
        client, side_a, "meetingTypeId=not-a-uuid&start=2030-01-01&end=2030-01-02"
    )
    assert (status, body["errors"][0]["field"]) == (400, "meetingTypeId")


#: the pool's liveness check (`db.session`)
PING = "SELECT 1"


async def test_bounded_number_of_queries(
    app: Litestar,
    client: AsyncTestClient[Litestar],
    settings: Settings,
    side_a: Side,
) -> None:
    mt = await make_type(client, side_a)
    monday = support.monday()
    for week in range(3):
        for hour in (9, 10, 13):
            at = datetime.combine(monday + timedelta(weeks=week), datetime.min.time(), BERLIN)
            await book(settings, side_a, mt["id"], (at + timedelta(hours=hour)).astimezone(UTC))
    statements: list[str] = []
    drivers: dict[int, Any] = {}

    def log(query: Any) -> None:
        if "set_config('jit'" not in query.query:  # asyncpg's one-off type introspection
            statements.append(query.query)

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)  # ORM statements run as prepared ones, not logged above

    def on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        """Statements sent on the app's connections through the driver directly."""
        driver = dbapi_connection.driver_connection
        if id(driver) not in drivers:
            drivers[id(driver)] = driver
            driver.add_query_logger(log)

    engine = ENGINE.of(app.state).sync_engine
    event.listen(engine, "checkout", on_checkout)
    event.listen(engine, "before_cursor_execute", record)
    try:
        url = f"meetingTypeId={mt['id']}&start={monday}&end={monday + timedelta(days=20)}"
        status, body = await slots(client, side_a, url)
        assert status == 200
        assert len(body["timeframes"]) == 9
        await anyio.sleep(0.05)  # the driver calls query loggers soon after, not inline
        first = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        statements.clear()
        assert await slots(client, side_a, url) == (status, body)
        await anyio.sleep(0.05)
    finally:
        event.remove(engine, "checkout", on_checkout)
        event.remove(engine, "before_cursor_execute", record)
        for driver in drivers.values():
            driver.remove_query_logger(log)
    cached = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # the credential read is the connection's check: the pool's checkout sends no `SELECT 1`
    for queries in (first, cached):
        assert queries.count(PING) == 0, queries
    first, cached = ([s for s in q if s != PING] for q in (first, cached))
    # credential + acting user, the host's schedule version, the host's connected calendars
    # with their busy time, the meeting type with availability and exceptions, and one query
    # for the busy time of the whole window ...
    assert len(first) == 5, first
    assert sum("JOIN appointment_host h" in q for q in first) == 1
    # ... and when nothing changed, the credential and the version alone
    assert len(cached) == 2, cached
    assert set(cached) < set(first)
    assert not any("appointment" in q or "availability" in q for q in cached)
