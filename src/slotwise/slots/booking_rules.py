"""A meeting type loaded with its availability and exceptions: what the engine and the
booking checks need from the database, turned into the engine's pure values."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from slotwise.availability import formats
from slotwise.models import Availability, AvailabilityException, MeetingType
from slotwise.slots.repository import BusyRow
from slotwise.slots.types import (
    MIDNIGHT,
    Busy,
    ExceptionSpan,
    Horizon,
    Interval,
    SlotQuery,
    TimeRange,
    WeeklySchedule,
)


@dataclass(frozen=True)
class SlotRequest:
    meeting_type_id: uuid.UUID
    start: date
    end: date
    timezone: str | None = None
    host_ids: tuple[uuid.UUID, ...] = ()
    duration: int | None = None
    existing_appointment_id: uuid.UUID | None = None
    troubleshoot: bool = False


@dataclass(frozen=True)
class BookingRules:
    """A meeting type with everything the engine needs from the database."""

    meeting_type: MeetingType
    availability: Availability
    exceptions: tuple[ExceptionSpan, ...]

    @property
    def host_id(self) -> uuid.UUID:
        return self.meeting_type.user_id

    def durations(self) -> set[int]:
        allowed = self.meeting_type.meeting_options.get("allowedDurations") or []
        return {self.meeting_type.duration, *(int(d) for d in allowed)}

    def horizon(self) -> Horizon:
        rule = self.meeting_type.days_into_future or {}
        mode = rule.get("mode", "limit")
        if mode == "unlimited":
            return Horizon.unlimited()
        if mode == "range":
            first, last = rule.get("rangeMin"), rule.get("rangeMax")
            return Horizon.date_range(
                date.fromisoformat(first) if first else None,
                date.fromisoformat(last) if last else None,
            )
        return Horizon.limit(int(rule.get("bookingLimit", 43200)))

    def query(self, window_start: datetime, window_end: datetime, duration: int) -> SlotQuery:
        mt = self.meeting_type
        schedule = formats.parse_schedule(self.availability.schedule)
        return SlotQuery(
            zone=self.availability.timezone,
            weekly=to_weekly(schedule),
            window_start=window_start,
            window_end=window_end,
            duration=duration,
            interval=mt.interval,
            exceptions=self.exceptions,
            buffer_before=mt.buffer_before,
            buffer_after=mt.buffer_after,
            booking_minimum=mt.booking_minimum,
            horizon=self.horizon(),
            spots=mt.spots,
        )

    def busy(self, rows: list[BusyRow]) -> list[Busy]:
        """The engine's busy values; a month holds hundreds, so this loop stays lean."""
        mt = self.meeting_type
        group_type = mt.id if mt.spots > 1 else None  # a group type's own appointments join
        return [
            Busy(Interval(start, end), before, after, id_, type_id == group_type, taken, total)
            for id_, type_id, start, end, before, after, total, taken, _ in rows
        ]


def exception_span(row: AvailabilityException) -> ExceptionSpan:
    return ExceptionSpan(start=row.start, end=row.end, available=row.available, id=str(row.id))


def to_weekly(schedule: formats.Schedule) -> WeeklySchedule:
    """Slot-engine schedule: weekday (0 = Monday) to the ranges of enabled, non-empty days."""
    return {
        index: tuple(TimeRange(_wall(hours.start), _wall(hours.end)) for hours in day.hours)
        for index, day in enumerate(schedule.days)
        if day.enabled and day.hours
    }


def _wall(minutes: int) -> time:
    return MIDNIGHT if minutes == formats.END_OF_DAY else time(minutes // 60, minutes % 60)
