"""The I/O shell around the pure slot engine: load rules and busy time, compute, render."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.availability import formats
from slotwise.db.tenancy import CompanyId
from slotwise.kit.errors import FieldError, ValidationFailed
from slotwise.models import Availability, AvailabilityException, MeetingType
from slotwise.slots import schemas as s
from slotwise.slots.cache import SlotCache
from slotwise.slots.engine import (
    compute_slots,
    slots_by_local_date,
    slots_until,
    troubleshoot_slots,
)
from slotwise.slots.repository import BusyRow, BusyTime, ScheduleVersions, SlotRules
from slotwise.slots.types import (
    AvailabilityException as OpenOrBlocked,
)
from slotwise.slots.types import (
    Blocked,
    Busy,
    Horizon,
    Interval,
    Slot,
    SlotQuery,
)

MAX_DAYS = 62
MAX_INTERVAL = 60
#: busy time this far outside a window can still block a slot in it (buffers and durations)
BUSY_MARGIN = timedelta(hours=12)


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
class Rules:
    """A meeting type with everything the engine needs from the database."""

    meeting_type: MeetingType
    availability: Availability
    exceptions: tuple[OpenOrBlocked, ...]

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
            weekly=formats.to_weekly(schedule),
            window_start=window_start,
            window_end=window_end,
            duration=duration,
            interval=mt.timeslot_interval or min(mt.duration, MAX_INTERVAL),
            exceptions=self.exceptions,
            buffer_before=mt.buffer_before,
            buffer_after=mt.buffer_after,
            booking_minimum=mt.booking_minimum,
            horizon=self.horizon(),
            spots=mt.spots,
        )

    def busy(self, rows: list[BusyRow]) -> list[Busy]:
        mt = self.meeting_type
        return [
            Busy(
                interval=Interval(row.start_at, row.end_at),
                buffer_before=row.buffer_before,
                buffer_after=row.buffer_after,
                appointment_id=str(row.id),
                joinable=mt.spots > 1 and row.meeting_type_id == mt.id,
                taken_spots=row.taken_spots,
                total_spots=row.total_spots,
            )
            for row in rows
        ]


def _exception(row: AvailabilityException) -> OpenOrBlocked:
    return OpenOrBlocked(start=row.start, end=row.end, available=row.available, id=str(row.id))


class SlotService:
    def __init__(
        self, session: AsyncSession, company_id: CompanyId, cache: SlotCache | None = None
    ) -> None:
        self.company_id = company_id
        self.rules_repository = SlotRules(session, company_id)
        self.busy_repository = BusyTime(session, company_id)
        self.versions = ScheduleVersions(session, company_id)
        self.cache = cache

    async def rules(self, meeting_type_id: uuid.UUID) -> Rules:
        meeting_type, availability, exceptions = await self.rules_repository.load(meeting_type_id)
        return Rules(meeting_type, availability, tuple(_exception(e) for e in exceptions))

    async def busy(
        self,
        rules: Rules,
        start: datetime,
        end: datetime,
        now: datetime,
        ignore: uuid.UUID | None = None,
    ) -> list[Busy]:
        return rules.busy(await self._busy_rows(rules, start, end, now, ignore))

    async def _busy_rows(
        self,
        rules: Rules,
        start: datetime,
        end: datetime,
        now: datetime,
        ignore: uuid.UUID | None,
    ) -> list[BusyRow]:
        return await self.busy_repository.of_hosts(
            [rules.host_id],
            start - BUSY_MARGIN,
            end + BUSY_MARGIN,
            now,
            ignore=ignore,
            count_seats=rules.meeting_type.spots > 1,
        )

    async def find_slot(
        self,
        rules: Rules,
        start: datetime,
        duration: int,
        now: datetime,
        ignore: uuid.UUID | None = None,
    ) -> Slot | None:
        """The listed slot starting exactly at `start`, if there is one (bookings re-check this)."""
        window_end = start + timedelta(microseconds=1)
        busy = await self.busy(rules, start, window_end, now, ignore)
        slots = compute_slots(rules.query(start, window_end, duration), busy, now)
        return next((slot for slot in slots if slot.start == start), None)

    async def booking_availability(self, request: SlotRequest, now: datetime) -> bytes:
        """The encoded answer; served from the cache while the host's schedule is unchanged.

        The schedule version is read before anything else, so an answer stored under it was
        computed from data at least that new.
        """
        key = (self.company_id, request)
        stamp = None
        if self.cache is not None and not request.troubleshoot:
            stamp = await self.versions.of_meeting_type(request.meeting_type_id)
            body = None if stamp is None else self.cache.get(key, stamp, now)
            if body is not None:
                return body
        rules = await self.rules(request.meeting_type_id)
        duration = self._duration(rules, request)
        if request.host_ids and set(request.host_ids) != {rules.host_id}:
            raise ValidationFailed.field("hostIds", "Not the host of this meeting type")
        zone = request.timezone or rules.availability.timezone
        window_start, window_end = window(request.start, request.end, zone)
        rows = await self._busy_rows(
            rules, window_start, window_end, now, request.existing_appointment_id
        )
        busy = rules.busy(rows)
        query = rules.query(window_start, window_end, duration)
        blocked: list[Blocked] | None = None
        until: datetime | None = None
        if request.troubleshoot:
            report = troubleshoot_slots(query, busy, now)
            slots, blocked = report.slots, report.blocked
        else:
            slots, until = slots_until(query, busy, now)
        body = msgspec.json.encode(
            render(
                zone,
                host_id=rules.host_id,
                slots=slots,
                busy=busy,
                window_start=window_start,
                window_end=window_end,
                blocked=blocked,
            )
        )
        if self.cache is not None and stamp is not None and stamp.host_id == rules.host_id:
            expiries = [row.expires_at for row in rows if row.expires_at is not None]
            self.cache.put(key, stamp, min([*expiries, until], default=None, key=_never), body)
        return body

    @staticmethod
    def _duration(rules: Rules, request: SlotRequest) -> int:
        if request.duration is None:
            return rules.meeting_type.duration
        if request.duration not in rules.durations():
            allowed = ", ".join(str(d) for d in sorted(rules.durations()))
            raise ValidationFailed.field("meetingDuration", f"Must be one of {allowed}")
        return request.duration


def _never(value: datetime | None) -> datetime:
    return datetime.max.replace(tzinfo=UTC) if value is None else value


def window(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """Local dates `[start, end]` (inclusive) in `zone` as UTC instants; checks the range."""
    errors: list[FieldError] = []
    if end < start:
        errors.append(FieldError("end", "Must not be before start"))
    elif (end - start).days + 1 > MAX_DAYS:
        errors.append(FieldError("end", f"The range may span at most {MAX_DAYS} days"))
    if not formats.is_zone(zone):
        errors.append(FieldError("timezone", "Unknown IANA time zone"))
    if errors:
        raise ValidationFailed(errors=errors)
    tz = ZoneInfo(zone)
    first = datetime.combine(start, time(0), tz).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time(0), tz).astimezone(UTC)
    return first, after


def render(
    zone: str,
    *,
    host_id: uuid.UUID,
    slots: list[Slot],
    busy: list[Busy],
    window_start: datetime,
    window_end: datetime,
    blocked: list[Blocked] | None,
) -> s.BookingAvailability:
    dates = [
        s.DateSpots(
            date=day,
            spots=[
                s.Spot(
                    start_time=local.start_time,
                    end_time=local.end_time,
                    appointment=_group(local.slot),
                )
                for local in locals_
            ],
        )
        for day, locals_ in slots_by_local_date(slots, zone)
    ]
    timeframes = [
        s.Timeframe(
            start=b.interval.start,
            end=b.interval.end,
            unavailability_event=s.UnavailabilityEvent(host_id=host_id),
        )
        for b in busy
        if b.interval.start < window_end and b.interval.end > window_start
    ]
    result = s.BookingAvailability(
        timezone=zone,
        timeframes=timeframes,
        dates=dates,
        earliest_available_date=dates[0].date if dates else None,
    )
    if blocked is not None:
        result.blocked = [_blocked(b, zone) for b in blocked]
    return result


def _group(slot: Slot) -> s.SpotAppointment | msgspec.UnsetType:
    if slot.appointment_id is None:
        return msgspec.UNSET
    return s.SpotAppointment(
        id=uuid.UUID(slot.appointment_id),
        total_spots=slot.total_spots,
        taken_spots=slot.taken_spots,
    )


def _blocked(item: Blocked, zone: str) -> s.BlockedSpot:
    tz = ZoneInfo(zone)
    return s.BlockedSpot(
        start_time=item.start.astimezone(tz).isoformat(),
        end_time=item.end.astimezone(tz).isoformat(),
        reason=str(item.reason),
        appointment_id=uuid.UUID(item.appointment_id) if item.appointment_id else None,
    )


async def provide_slot_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal], state: State
) -> SlotService:
    return SlotService(db, principal.company_id, state.slot_cache)
