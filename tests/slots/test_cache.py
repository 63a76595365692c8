"""The slot answer cache: hits only while provably current, across every kind of change."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from slotwise.slots.cache import SLOT_CACHE, SlotCache
from slotwise.slots.repository import HostVersion
from tests.support import bookings as support
from tests.support.bookings import at, execute
from tests.support.factories import Side

Client = AsyncTestClient[Litestar]


class Offered:
    """Reads the offered start times of one Monday and counts what the cache answered."""

    def __init__(self, app: Litestar, client: Client, side: Side, meeting_type_id: str) -> None:
        self.cache: SlotCache = SLOT_CACHE.of(app.state)
        self.client, self.side, self.meeting_type_id = client, side, meeting_type_id
        self.day = support.monday()

    async def body(self) -> dict[str, Any]:
        query = f"meetingTypeId={self.meeting_type_id}&start={self.day}&end={self.day}"
        response = await self.client.get(
            f"/v4/booking-availability?{query}",
            headers=self.side.tenant.headers(self.side.member_id),
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def hours(self) -> list[str]:
        """Local start times; asked twice, the second answer must come from the cache."""
        first = await self.body()
        hits = self.cache.hits
        assert await self.body() == first
        assert self.cache.hits == hits + 1
        return [spot["startTime"][11:16] for d in first["dates"] for spot in d["spots"]]


def hours(first: str, last: str, step: int = 30) -> list[str]:
    """Wall times `first`..`last` (inclusive) every `step` minutes, as HH:MM."""
    h, m = map(int, first.split(":"))
    out = []
    minute = h * 60 + m
    while (value := f"{minute // 60:02d}:{minute % 60:02d}") <= last:
        out.append(value)
        minute += step
    return out


async def insert_appointment(
    settings: Settings,
    side: Side,
    meeting_type_id: str,
    start: datetime,
    *,
    expires_at: datetime | None = None,
) -> uuid.UUID:
    """An appointment written by another process (straight into the database)."""
    appointment_id = uuid.uuid4()
    await execute(
        settings,
        "INSERT INTO appointment (id, company_id, meeting_type_id, host_user_id, start_at,"
        " end_at, status, buffer_before, buffer_after, total_spots, meeting_info, secret_hash,"
        " request, reschedule_count, ics_sequence, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 1, '{}', $8, '{}', 0, 0, $9)",
        appointment_id,
        side.tenant.company_id,
        uuid.UUID(meeting_type_id),
        side.member_id,
        start.astimezone(UTC),
        (start + timedelta(minutes=30)).astimezone(UTC),
        "pending" if expires_at else "confirmed",
        hashlib.sha256(b"x").hexdigest(),
        expires_at,
    )
    return appointment_id


async def test_every_change_to_the_schedule_shows_at_once(
    app: Litestar, client: Client, side_a: Side, settings: Settings
) -> None:
    mt = await support.make_type(client, side_a)
    offered = Offered(app, client, side_a, mt["id"])
    headers = side_a.tenant.headers(side_a.member_id)
    assert await offered.hours() == hours("09:00", "16:30")

    created = await support.book(client, side_a, mt, at(10))
    assert await offered.hours() == [h for h in hours("09:00", "16:30") if h != "10:00"]

    cancel = f"/v4/appointment/{created['appointmentId']}/cancel"
    assert (await client.post(cancel, json={"reason": "x"}, headers=headers)).status_code == 200
    assert await offered.hours() == hours("09:00", "16:30")

    exception = {"available": False, "start": at(11).isoformat(), "end": at(12).isoformat()}
    url = f"/v4/availability/{mt['availabilityId']}/exception"
    assert (await client.post(url, json=exception, headers=headers)).status_code == 201
    assert await offered.hours() == [h for h in hours("09:00", "16:30") if h[:2] != "11"]

    week = {"monday": {"enabled": True, "hours": [{"start": "13:00", "end": "15:00"}]}}
    url = f"/v4/availability/{mt['availabilityId']}"
    assert (await client.patch(url, json={"schedule": week}, headers=headers)).status_code == 200
    assert await offered.hours() == hours("13:00", "14:30")

    url = f"/v4/meeting-type/{mt['id']}"
    changed = {"meetingInfo": {"duration": 60}, "timeslotInterval": 60}
    assert (await client.patch(url, json=changed, headers=headers)).status_code == 200
    assert await offered.hours() == ["13:00", "14:00"]

    await insert_appointment(settings, side_a, mt["id"], at(13, 30))
    assert await offered.hours() == ["14:00"]


async def test_an_expiring_hold_frees_its_slot_without_any_write(
    app: Litestar, client: Client, side_a: Side, settings: Settings
) -> None:
    mt = await support.make_type(client, side_a)
    offered = Offered(app, client, side_a, mt["id"])
    expires = datetime.now(UTC) + timedelta(seconds=2)  # room for a slow machine
    await insert_appointment(settings, side_a, mt["id"], at(9), expires_at=expires)
    assert (await offered.hours())[0] == "09:30"
    await anyio.sleep((expires - datetime.now(UTC)).total_seconds() + 0.05)
    assert (await offered.hours())[0] == "09:00"


async def test_a_cached_answer_stays_inside_its_company(
    app: Litestar, client: Client, side_a: Side, side_b: Side
) -> None:
    mt = await support.make_type(client, side_a)
    assert await Offered(app, client, side_a, mt["id"]).hours()
    foreign = await client.get(
        f"/v4/booking-availability?meetingTypeId={mt['id']}&start={support.monday()}"
        f"&end={support.monday()}",
        headers=side_b.tenant.headers(side_b.member_id),
    )
    assert (foreign.status_code, foreign.json()["message"]) == (404, "Meeting type not found")


async def test_a_deleted_meeting_type_is_not_served_from_the_cache(
    app: Litestar, client: Client, side_a: Side
) -> None:
    mt = await support.make_type(client, side_a)
    offered = Offered(app, client, side_a, mt["id"])
    assert await offered.hours()
    headers = side_a.tenant.headers(side_a.member_id)
    assert (await client.delete(f"/v4/meeting-type/{mt['id']}", headers=headers)).is_success
    response = await client.get(
        f"/v4/booking-availability?meetingTypeId={mt['id']}&start={offered.day}&end={offered.day}",
        headers=headers,
    )
    assert response.status_code == 404


def test_entries_expire_with_the_clock_and_the_version() -> None:
    cache = SlotCache(size=2)
    now = datetime(2030, 1, 7, 9, tzinfo=UTC)
    stamp = HostVersion(uuid.uuid4(), 3)
    cache.put("k", stamp, now + timedelta(minutes=5), b"body")
    assert cache.get("k", stamp, now + timedelta(minutes=4)) == b"body"
    assert cache.get("k", stamp, now + timedelta(minutes=5)) is None
    assert cache.get("k", HostVersion(stamp.host_id, 4), now) is None
    assert cache.get("k", HostVersion(uuid.uuid4(), 3), now) is None
    for key in ("a", "b", "c"):
        cache.put(key, stamp, None, key.encode())
    assert len(cache) == 2
    assert cache.get("a", stamp, now) is None
    assert cache.get("c", stamp, now) == b"c"
    off = SlotCache(size=0)
    off.put("k", stamp, None, b"body")
    assert off.get("k", stamp, now) is None
