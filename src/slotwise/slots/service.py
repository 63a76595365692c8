"""The I/O shell around the pure slot engine: load rules and busy time, compute, render."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.calendars.busy import CALENDAR_REFRESHER, BusySpan, CalendarBusySource, Refresher
from slotwise.db.tenancy import CompanyId
from slotwise.kit.errors import NotFound, ValidationFailed
from slotwise.slots.booking_rules import BookingRules, SlotRequest, exception_span
from slotwise.slots.cache import SLOT_CACHE, SlotCache
from slotwise.slots.engine import (
    compute_slots,
    slots_until,
    troubleshoot_slots,
)
from slotwise.slots.params import window
from slotwise.slots.repository import (
    BusyRow,
    BusyTimeRepository,
    RulesRepository,
    ScheduleVersionRepository,
)
from slotwise.slots.types import (
    Blocked,
    Busy,
    Interval,
    Slot,
)
from slotwise.slots.views import render

#: busy time this far outside a window can still block a slot in it (buffers and durations)
BUSY_MARGIN = timedelta(hours=12)


class SlotService:
    def __init__(
        self,
        session: AsyncSession,
        company_id: CompanyId,
        cache: SlotCache | None = None,
        refresher: Refresher | None = None,
    ) -> None:
        self.company_id = company_id
        self.calendars = CalendarBusySource(session, company_id, refresher)
        self.rules_repository = RulesRepository(session, company_id)
        self.busy_repository = BusyTimeRepository(session, company_id)
        self.versions = ScheduleVersionRepository(session, company_id)
        self.cache = cache

    async def rules(self, meeting_type_id: uuid.UUID) -> BookingRules:
        meeting_type, availability, exceptions = await self.rules_repository.load(meeting_type_id)
        return BookingRules(
            meeting_type, availability, tuple(exception_span(e) for e in exceptions)
        )

    async def busy(
        self,
        rules: BookingRules,
        start: datetime,
        end: datetime,
        now: datetime,
        ignore: uuid.UUID | None = None,
    ) -> list[Busy]:
        rows = await self._busy_rows(rules, start, end, now, ignore)
        spans = await self.calendars.of_host(rules.host_id, start - BUSY_MARGIN, end + BUSY_MARGIN)
        return rules.busy(rows) + calendar_busy(spans)

    async def _busy_rows(
        self,
        rules: BookingRules,
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
        rules: BookingRules,
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
        host_id = stamp.host_id if stamp is not None else await self._host(request)
        calendars = await self.calendars.fresh_of_host(
            host_id, _day_before(request.start), _day_after(request.end), now
        )
        rules = await self.rules(request.meeting_type_id)
        duration = self._duration(rules, request)
        if request.host_ids and set(request.host_ids) != {rules.host_id}:
            raise ValidationFailed.field("hostIds", "Not the host of this meeting type")
        zone = request.timezone or rules.availability.timezone
        window_start, window_end = window(request.start, request.end, zone)
        rows = await self._busy_rows(
            rules, window_start, window_end, now, request.existing_appointment_id
        )
        busy = rules.busy(rows) + calendar_busy(calendars.spans)
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
                calendars_stale=calendars.stale,
            )
        )
        cacheable = not calendars.stale
        if self.cache is not None and stamp is not None and stamp.host_id == rules.host_id:
            expiries = [row.expires_at for row in rows if row.expires_at is not None]
            until = min([*expiries, until, calendars.fresh_until], default=None, key=_never)
            if cacheable:
                self.cache.put(key, stamp, until, body)
        return body

    async def _host(self, request: SlotRequest) -> uuid.UUID:
        stamp = await self.versions.of_meeting_type(request.meeting_type_id)
        if stamp is None:
            raise NotFound("Meeting type not found")
        return stamp.host_id

    @staticmethod
    def _duration(rules: BookingRules, request: SlotRequest) -> int:
        if request.duration is None:
            return rules.meeting_type.duration
        if request.duration not in rules.durations():
            allowed = ", ".join(str(d) for d in sorted(rules.durations()))
            raise ValidationFailed.field("meetingDuration", f"Must be one of {allowed}")
        return request.duration


def calendar_busy(spans: list[BusySpan]) -> list[Busy]:
    return [
        Busy(Interval(start, end), calendar=str(connection)) for start, end, connection in spans
    ]


def _day_before(day: date) -> datetime:
    """Busy time that can reach into a window of local dates, whatever the zone and margins."""
    return datetime.combine(day, time(0), UTC) - timedelta(days=2)


def _day_after(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC) + timedelta(days=3)


def _never(value: datetime | None) -> datetime:
    return datetime.max.replace(tzinfo=UTC) if value is None else value


async def provide_slot_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal], state: State
) -> SlotService:
    return SlotService(
        db, principal.company_id, SLOT_CACHE.of(state), CALENDAR_REFRESHER.find(state)
    )
