"""Wire shapes of availabilities, their exceptions and the public-holiday import."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any

import msgspec

from slotwise.availability.holidays import MAX_YEAR, MIN_YEAR
from slotwise.kit.wire import InputStruct, TimeZone, WireStruct
from slotwise.models import Availability as AvailabilityRow
from slotwise.models import AvailabilityException as ExceptionRow

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Zone = TimeZone
Instant = Annotated[
    datetime,
    msgspec.Meta(tz=True, description="ISO 8601 instant with a UTC offset"),
]
_SCHEDULE_FORMATS = (
    'Weekly schedule: {"monday": {"enabled": true, "hours": [{"start": "09:00",'
    ' "end": "17:00"}]}, ...}; also accepted: [{"dayOfWeek": "monday", "intervals":'
    ' [{"from": "09:00", "to": "17:00"}]}] and {"1": {"enabled": true, "start": "09:00",'
    ' "end": "17:00"}, ...} (1 = Monday). Days left out are off.'
)
#: a weekly schedule in any of the accepted forms (checked by `formats`)
ScheduleInput = Annotated[
    Any,
    msgspec.Meta(extra_json_schema={"type": ["object", "array"]}, description=_SCHEDULE_FORMATS),
]
#: a weekly schedule, or null (or left out) for one with every day off
OptionalSchedule = Annotated[
    Any,
    msgspec.Meta(
        extra_json_schema={"type": ["object", "array", "null"]},
        description=_SCHEDULE_FORMATS + " Left out or null: every day off.",
    ),
]


class HourRange(WireStruct):
    start: str
    end: str


class Day(WireStruct):
    enabled: bool
    hours: list[HourRange]


class WeeklySchedule(WireStruct):
    """The canonical schedule: every day, several ranges per day for breaks."""

    monday: Day
    tuesday: Day
    wednesday: Day
    thursday: Day
    friday: Day
    saturday: Day
    sunday: Day


class AvailabilityCreate(InputStruct):
    name: Name
    timezone: Zone
    schedule: OptionalSchedule = None


class AvailabilityUpdate(InputStruct):
    """Every field optional; `schedule` replaces the whole weekly schedule."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    timezone: Zone | msgspec.UnsetType = msgspec.UNSET
    schedule: ScheduleInput = msgspec.UNSET
    is_default: bool | msgspec.UnsetType = msgspec.UNSET


class ExceptionCreate(InputStruct):
    start: Instant
    end: Instant
    available: bool
    title: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class HolidayImport(InputStruct):
    year: Annotated[int, msgspec.Meta(ge=MIN_YEAR, le=MAX_YEAR)]
    country: Annotated[str, msgspec.Meta(min_length=2, max_length=3, examples=["DE"])]
    subdivision: Annotated[str, msgspec.Meta(max_length=40, examples=["BY"])] | None = None
    german_state: Annotated[str, msgspec.Meta(max_length=40, examples=["BY"])] | None = None


class AvailabilityException(WireStruct):
    id: uuid.UUID
    available: bool
    start: datetime
    end: datetime
    title: str | None

    @classmethod
    def of(cls, row: ExceptionRow) -> "AvailabilityException":
        return cls(
            id=row.id, available=row.available, start=row.start, end=row.end, title=row.title
        )


class Availability(WireStruct):
    id: uuid.UUID
    name: str
    timezone: str
    is_default: bool
    schedule: WeeklySchedule
    exceptions: list[AvailabilityException]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: AvailabilityRow, exceptions: Iterable[ExceptionRow]) -> "Availability":
        return cls(
            id=row.id,
            name=row.name,
            timezone=row.timezone,
            is_default=row.is_default,
            schedule=msgspec.convert(row.schedule, WeeklySchedule),
            exceptions=[AvailabilityException.of(item) for item in exceptions],
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
