"""Helpers shared by the booking tests: dates inside the availability, meeting types, bookings."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx

from slotwise.settings import Settings
from tests.support.factories import Side, attendee_body

#: the in-process test client, or an httpx client of a real server process
Client = httpx.AsyncClient
BERLIN = ZoneInfo("Europe/Berlin")
_DAY = {"enabled": True, "hours": [{"start": "09:00", "end": "17:00"}]}
WEEK = dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday"), _DAY)


def monday(weeks_ahead: int = 2) -> date:
    """A Monday at least `weeks_ahead` weeks from today (Berlin), so always in the future."""
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=(7 - today.weekday()) % 7 + 7 * weeks_ahead)


def at(hour: int, minute: int = 0, *, day: date | None = None) -> datetime:
    """Local Berlin wall time on `day` (default: `monday()`), as an aware datetime."""
    return datetime.combine(day or monday(), time(hour, minute), BERLIN)


def utc(value: datetime) -> str:
    """How the API writes an instant: UTC with a Z."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def make_type(
    client: Client, side: Side, *, user_id: uuid.UUID | None = None, **overrides: Any
) -> dict[str, Any]:
    """A meeting type of the member (or `user_id`), bookable Mon-Fri 09:00-17:00 Berlin."""
    info = {"name": "Consult", "duration": 30, "channel": "zoom"}
    info |= overrides.pop("meetingInfo", {})
    body: dict[str, Any] = {
        "meetingInfo": info,
        "availability": {"name": "Office hours", "timezone": "Europe/Berlin", "schedule": WEEK},
        "daysIntoFuture": {"mode": "unlimited"},
        "bookingMinimum": 0,
    } | overrides
    headers = side.tenant.headers(user_id or side.member_id)
    response = await client.post("/v4/meeting-type", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def booking(meeting_type: dict[str, Any], start: datetime, **extra: Any) -> dict[str, Any]:
    attendee = extra.pop("attendee", None) or attendee_body()
    return {"meetingTypeId": meeting_type["id"], "start": start.isoformat(), "attendee": attendee}


async def book(
    client: Client,
    side: Side,
    meeting_type: dict[str, Any],
    start: datetime,
    *,
    expect: int = 201,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = booking(meeting_type, start, **extra) | extra
    response = await client.post("/v4/booking", json=body, headers=headers or side.tenant.headers())
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def fetch(settings: Settings, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def execute(settings: Settings, sql: str, *args: object) -> None:
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute(sql, *args)
    finally:
        await conn.close()


class Recorder:
    """The webhook events the booking code emitted, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @property
    def types(self) -> list[str]:
        return [event for event, _ in self.calls]

    def last(self, event: str) -> dict[str, Any]:
        return next(payload for name, payload in reversed(self.calls) if name == event)
