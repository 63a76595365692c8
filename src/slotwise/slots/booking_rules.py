"""A meeting type loaded with its availability and exceptions: what the engine and the
booking checks need from the database, turned into the engine's pure values."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType

import msgspec

from slotwise.availability import formats
from slotwise.models import Availability, AvailabilityException, MeetingType
from slotwise.slots import team
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
    """A meeting type with everything the engine needs from the database: its owner's, or
    for a team type one member's (`host`, with that member's own availability)."""

    meeting_type: MeetingType
    availability: Availability
    exceptions: tuple[ExceptionSpan, ...]
    host: uuid.UUID | None = None

    @property
    def host_id(self) -> uuid.UUID:
        return self.meeting_type.user_id if self.host is None else self.host

    @property
    def team(self) -> bool:
        return self.meeting_type.queue_id is not None

    @property
    def spots(self) -> int:
        """Seats per slot: a team booking takes its host's whole slot."""
        return 1 if self.team else self.meeting_type.spots

    def for_host(
        self, host: uuid.UUID, availability: Availability, exceptions: tuple[ExceptionSpan, ...]
    ) -> "BookingRules":
        return BookingRules(self.meeting_type, availability, exceptions, host)

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
        return SlotQuery(
            zone=self.availability.timezone,
            weekly=weekly_of(self.availability.schedule),
            window_start=window_start,
            window_end=window_end,
            duration=duration,
            interval=mt.interval,
            exceptions=self.exceptions,
            buffer_before=mt.buffer_before,
            buffer_after=mt.buffer_after,
            booking_minimum=mt.booking_minimum,
            horizon=self.horizon(),
            spots=self.spots,
        )

    def busy(self, rows: list[BusyRow]) -> list[Busy]:
        """The engine's busy values; a month holds hundreds, so this loop stays lean."""
        mt = self.meeting_type
        group_type = mt.id if self.spots > 1 else None  # a group type's own appointments join
        return [
            Busy(Interval(start, end), before, after, id_, type_id == group_type, taken, total)
            for id_, type_id, start, end, before, after, total, taken, _, _ in rows
        ]


def exception_span(row: AvailabilityException) -> ExceptionSpan:
    return ExceptionSpan(start=row.start, end=row.end, available=row.available, id=str(row.id))


def weekly_of(stored: object) -> WeeklySchedule:
    """The engine's schedule of an availability's stored schedule, parsed once per distinct
    schedule in a process (every slot answer and booking check needs it)."""
    return _weekly_of_text(msgspec.json.encode(stored))


@lru_cache(maxsize=1024)
def _weekly_of_text(text: bytes) -> WeeklySchedule:
    return MappingProxyType(to_weekly(formats.parse_schedule(msgspec.json.decode(text))))


def to_weekly(schedule: formats.Schedule) -> WeeklySchedule:
    """Slot-engine schedule: weekday (0 = Monday) to the ranges of enabled, non-empty days."""
    return {
        index: tuple(TimeRange(_wall(hours.start), _wall(hours.end)) for hours in day.hours)
        for index, day in enumerate(schedule.days)
        if day.enabled and day.hours
    }


def _wall(minutes: int) -> time:
    return MIDNIGHT if minutes == formats.END_OF_DAY else time(minutes // 60, minutes % 60)


@dataclass(frozen=True)
class TeamRules:
    """A team type: the meeting type (with its owner's availability), its queue's policy, each
    member's own rules (members without an availability are left out: they have no hours),
    the units a booking can go to, and each unit's bookings in the distribution period."""

    rules: BookingRules
    method: team.Method
    policy: team.Policy
    all_members: tuple[uuid.UUID, ...]
    members: dict[uuid.UUID, BookingRules]
    units: tuple[team.Unit, ...]
    standing: dict[uuid.UUID, team.Standing]

    @property
    def queue_id(self) -> uuid.UUID:
        queue_id = self.rules.meeting_type.queue_id
        if queue_id is None:  # pragma: no cover - a team type has a queue
            raise ValueError("not a team meeting type")
        return queue_id

    def order(self, hosts: frozenset[uuid.UUID] | None = None) -> list[team.Unit]:
        """The eligible units, best first; with `hosts`, only units made of those hosts."""
        units = [u for u in self.units if hosts is None or set(u.user_ids) <= hosts]
        return team.ranked(
            team.eligible(units, self.standing, self.policy), self.standing, self.policy
        )


def period_start(period: str, now: datetime) -> datetime:
    """The start of the current distribution period (UTC day, ISO week or month)."""
    day = datetime.combine(now.astimezone(UTC).date(), time(0), UTC)
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)
