"""Value types of the slot engine.

Instants are timezone-aware datetimes normalised to UTC; spans are half-open ``[start, end)``.
Durations, buffers and notice periods are whole minutes.

The values made by the hundred for one answer (spans, busy time, slots) are frozen msgspec
structs, built about eight times faster than frozen dataclasses: a month's busy time alone took
2 ms to build as dataclasses. The values made once per answer stay dataclasses.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum

import msgspec
from msgspec.structs import force_setattr

MIDNIGHT = time(0)

#: an appointment as the caller names it: the engine only carries it from busy time to the
#: slots and blocks it explains (the service passes database ids, tests short names)
AppointmentRef = uuid.UUID | str


def as_uuid(ref: AppointmentRef) -> uuid.UUID:
    return ref if isinstance(ref, uuid.UUID) else uuid.UUID(ref)


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is UTC:  # fast path: database rows already carry UTC
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _normalise_span(span: Interval | ExceptionSpan) -> None:
    """Both ends of a frozen span in UTC, the end not before the start."""
    if span.start.tzinfo is not UTC or span.end.tzinfo is not UTC:  # rows are UTC already
        force_setattr(span, "start", _utc(span.start, "start"))
        force_setattr(span, "end", _utc(span.end, "end"))
    if span.end < span.start:
        raise ValueError("end must not be before start")


def _non_negative(**values: int) -> None:
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"{name} must be >= 0")


class Interval(msgspec.Struct, frozen=True, gc=False):
    """Half-open span of instants; both ends are stored in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _normalise_span(self)


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Local wall-time range ``[start, end)`` on one date.

    An ``end`` of 00:00 means midnight at the end of the date (24:00).
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("wall times must be naive")
        if self.end != MIDNIGHT and self.end <= self.start:
            raise ValueError("end must be after start (use 00:00 for end of day)")


WeeklySchedule = Mapping[int, tuple[TimeRange, ...]]
"""Weekday (0 = Monday .. 6 = Sunday) to the wall-time ranges open on that day."""


class ExceptionSpan(msgspec.Struct, frozen=True, gc=False):
    """Absolute override: ``available=True`` opens the span, ``False`` closes it."""

    start: datetime
    end: datetime
    available: bool
    id: str | None = None

    def __post_init__(self) -> None:
        _normalise_span(self)


class Busy(msgspec.Struct, frozen=True, gc=False):
    """Existing appointment (or other busy time) of the host.

    ``interval`` is the appointment's own time; its own buffers widen it. ``joinable`` marks an
    appointment of the queried group meeting type, which a slot with the same start may join
    while ``taken_spots`` is below ``total_spots`` (default: the query's ``spots``).
    """

    interval: Interval
    buffer_before: int = 0
    buffer_after: int = 0
    appointment_id: AppointmentRef | None = None
    joinable: bool = False
    taken_spots: int = 1
    total_spots: int | None = None
    #: busy time from a connected calendar: the connection's id
    calendar: str | None = None

    def __post_init__(self) -> None:
        if self.buffer_before < 0 or self.buffer_after < 0 or self.taken_spots < 0:
            _non_negative(
                buffer_before=self.buffer_before,
                buffer_after=self.buffer_after,
                taken_spots=self.taken_spots,
            )


class HorizonMode(StrEnum):
    UNLIMITED = "unlimited"
    LIMIT = "limit"
    RANGE = "range"


@dataclass(frozen=True, slots=True)
class Horizon:
    """How far ahead slots may start (``daysIntoFuture``).

    ``LIMIT``: starts at most ``limit_minutes`` after now (inclusive). ``RANGE``: the start's local
    date, in the availability zone, lies within ``[first_date, last_date]``; a missing bound is
    open. ``UNLIMITED``: no bound.
    """

    mode: HorizonMode = HorizonMode.UNLIMITED
    limit_minutes: int = 0
    first_date: date | None = None
    last_date: date | None = None

    def __post_init__(self) -> None:
        _non_negative(limit_minutes=self.limit_minutes)
        first, last = self.first_date, self.last_date
        if first is not None and last is not None and last < first:
            raise ValueError("last_date must not be before first_date")

    @classmethod
    def unlimited(cls) -> Horizon:
        return cls()

    @classmethod
    def limit(cls, minutes: int) -> Horizon:
        return cls(HorizonMode.LIMIT, limit_minutes=minutes)

    @classmethod
    def date_range(cls, first: date | None, last: date | None) -> Horizon:
        return cls(HorizonMode.RANGE, first_date=first, last_date=last)


@dataclass(frozen=True, slots=True)
class SlotQuery:
    """Everything about one host's availability and one meeting type.

    Slots are returned whose start lies in ``[window_start, window_end)``. ``interval`` is the
    step between candidate starts (``timeslotInterval``); ``None`` means ``duration``.
    """

    zone: str
    weekly: WeeklySchedule
    window_start: datetime
    window_end: datetime
    duration: int
    interval: int | None = None
    exceptions: tuple[ExceptionSpan, ...] = ()
    buffer_before: int = 0
    buffer_after: int = 0
    booking_minimum: int = 0
    horizon: Horizon = field(default_factory=Horizon)
    spots: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "window_start", _utc(self.window_start, "window_start"))
        object.__setattr__(self, "window_end", _utc(self.window_end, "window_end"))
        if self.window_end < self.window_start:
            raise ValueError("window_end must not be before window_start")
        if self.duration <= 0 or (self.interval is not None and self.interval <= 0):
            raise ValueError("duration and interval must be positive")
        if self.spots < 1:
            raise ValueError("spots must be >= 1")
        _non_negative(
            buffer_before=self.buffer_before,
            buffer_after=self.buffer_after,
            booking_minimum=self.booking_minimum,
        )
        if any(not 0 <= day <= 6 for day in self.weekly):
            raise ValueError("weekly schedule keys must be weekdays 0..6")

    @property
    def step(self) -> int:
        return self.duration if self.interval is None else self.interval


class Slot(msgspec.Struct, frozen=True, gc=False):
    """Bookable slot; ``appointment_id`` is set when it joins an existing group appointment."""

    start: datetime
    end: datetime
    appointment_id: AppointmentRef | None = None
    taken_spots: int = 0
    total_spots: int = 1


class BlockReason(StrEnum):
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    EXCEPTION = "exception"
    BUSY = "busy"
    #: an event in one of the host's connected calendars
    CALENDAR = "calendar"
    BUFFER = "buffer"
    MINIMUM_NOTICE = "minimum_notice"
    BEYOND_HORIZON = "beyond_horizon"
    FULL = "full"


class Blocked(msgspec.Struct, frozen=True, gc=False):
    """Candidate that was not offered, with the first rule that rejected it."""

    start: datetime
    end: datetime
    reason: BlockReason
    appointment_id: AppointmentRef | None = None
    #: the calendar connection whose event blocks it
    calendar: str | None = None


@dataclass(frozen=True, slots=True)
class SlotReport:
    """Result of troubleshooting: offered slots and rejected candidates, both sorted."""

    slots: list[Slot]
    blocked: list[Blocked]


class LocalSlot(msgspec.Struct, frozen=True, gc=False):
    """Slot rendered in a requested zone as ISO 8601 strings with that zone's offset."""

    start_time: str
    end_time: str
    slot: Slot
