"""The I/O shell around the pure slot engine: load rules and busy time, compute, render."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.calendars.busy import (
    CALENDAR_REFRESHER,
    BusySpan,
    CalendarBusySource,
    HostBusy,
    Refresher,
)
from slotwise.db.tenancy import CompanyId
from slotwise.kit.errors import NotFound, ValidationFailed
from slotwise.slots import team
from slotwise.slots.booking_rules import (
    BookingRules,
    SlotRequest,
    TeamRules,
    exception_span,
    period_start,
)
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
    HostVersion,
    RulesRepository,
    ScheduleVersionRepository,
    TeamRepository,
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
        self.teams = TeamRepository(session, company_id)
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
            count_seats=rules.spots > 1,
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
        computed from data at least that new. Team types are computed fresh every time.
        """
        key = (self.company_id, request)
        stamp = None
        if self.cache is not None and not request.troubleshoot:
            stamp = await self.versions.of_meeting_type(request.meeting_type_id)
            body = None if stamp is None or stamp.team else self.cache.get(key, stamp, now)
            if body is not None:
                return body
        if stamp is None:
            stamp = await self._stamp(request)
        if stamp.team:
            return await self._team_availability(request, now)
        calendars = await self.calendars.fresh_of_host(
            stamp.host_id, _day_before(request.start), _day_after(request.end), now
        )
        rules = await self.rules(request.meeting_type_id)
        duration = self._duration(rules, request)
        if request.host_ids and set(request.host_ids) != {rules.host_id}:
            raise ValidationFailed.field("hostIds", "Not the host of this meeting type")
        body, rows, until = await self._answer(rules, request, duration, calendars, now)
        if (
            self.cache is not None
            and not request.troubleshoot
            and stamp.host_id == rules.host_id
            and not calendars.stale
        ):
            expiries = [row.expires_at for row in rows if row.expires_at is not None]
            until = min([*expiries, until, calendars.fresh_until], default=None, key=_never)
            self.cache.put(key, stamp, until, body)
        return body

    async def _answer(
        self,
        rules: BookingRules,
        request: SlotRequest,
        duration: int,
        calendars: HostBusy,
        now: datetime,
    ) -> tuple[bytes, list[BusyRow], datetime | None]:
        """One host's answer (a single-host type, or one member of a team type): the body,
        the busy rows it saw and when its first slot's notice runs out."""
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
                busy={rules.host_id: busy},
                slots=slots,
                window_start=window_start,
                window_end=window_end,
                blocked=blocked,
                calendars_stale=calendars.stale,
            )
        )
        return body, rows, until

    async def _team_availability(self, request: SlotRequest, now: datetime) -> bytes:
        """A team type's slots: each member's own, combined by the type's method over the
        units eligible now; every slot names the hosts free for it (`hostIds`)."""
        first, last = _day_before(request.start), _day_after(request.end)
        calendars = {
            host: await self.calendars.fresh_of_host(host, first, last, now)
            for host in await self.teams.member_ids(request.meeting_type_id)
        }
        rules = await self.rules(request.meeting_type_id)
        duration = self._duration(rules, request)
        team_rules = await self.load_team(rules, now)
        hosts = self.narrow_hosts(team_rules, request.host_ids)
        if request.troubleshoot:
            if hosts is None or len(hosts) != 1:
                message = "For a team meeting type, name the one host to explain with hostIds"
                raise ValidationFailed.field("troubleshoot", message)
            (host,) = hosts
            member = team_rules.members.get(host)
            if member is None:
                raise ValidationFailed.field("hostIds", "This host has no availability")
            return (await self._answer(member, request, duration, calendars[host], now))[0]
        zone = request.timezone or rules.availability.timezone
        window_start, window_end = window(request.start, request.end, zone)
        spans = {host: found.spans for host, found in calendars.items()}
        busy = await self._team_busy(
            team_rules,
            window_start,
            window_end,
            now,
            ignore=request.existing_appointment_id,
            spans=spans,
        )
        found = self._team_slots(
            team_rules,
            busy,
            hosts=hosts,
            start=window_start,
            end=window_end,
            duration=duration,
            now=now,
        )
        return msgspec.json.encode(
            render(
                zone,
                busy=busy,
                slots=[item.slot for item in found],
                window_start=window_start,
                window_end=window_end,
                blocked=None,
                calendars_stale=any(host.stale for host in calendars.values()),
                host_ids={item.slot.start: item.host_ids for item in found},
            )
        )

    async def load_team(self, rules: BookingRules, now: datetime) -> TeamRules:
        """A team type's members, units and standing (see `slots.team`)."""
        meeting_type = rules.meeting_type
        if meeting_type.queue_id is None:  # pragma: no cover - callers checked
            raise NotFound("Queue not found")
        queue = await self.teams.queue(meeting_type.queue_id)
        rows = await self.teams.members(meeting_type)
        exceptions = await self.teams.exceptions(
            [row.availability.id for row in rows if row.availability is not None]
        )
        members = {
            row.user_id: rules.for_host(
                row.user_id,
                row.availability,
                tuple(exception_span(e) for e in exceptions[row.availability.id]),
            )
            for row in rows
            if row.availability is not None
        }
        groups = await self.teams.groups(queue.id)
        units = team.units_of(
            [(row.user_id, row.priority, row.capacity) for row in rows if row.user_id in members],
            [(g.id, g.user_ids, g.capacity, g.main_group_host_id) for g in groups],
        )
        counts = await self.teams.standing(
            meeting_type.id, period_start(queue.distribution_period, now)
        )
        standing = {unit.key: team.Standing(*counts.get(unit.host, (0, None))) for unit in units}
        return TeamRules(
            rules=rules,
            method=team.Method(meeting_type.calculation_method or team.Method.ANYONE),
            policy=team.Policy(queue.type, queue.max_lead_threshold),
            all_members=tuple(row.user_id for row in rows),
            members=members,
            units=tuple(units),
            standing=standing,
        )

    @staticmethod
    def narrow_hosts(
        team_rules: TeamRules, host_ids: tuple[uuid.UUID, ...]
    ) -> frozenset[uuid.UUID] | None:
        """`hostIds` narrows a team type to some of its members (others are a 400)."""
        if not host_ids:
            return None
        if not set(host_ids) <= set(team_rules.all_members):
            raise ValidationFailed.field("hostIds", "Not a host of this meeting type")
        return frozenset(host_ids)

    async def _team_busy(
        self,
        team_rules: TeamRules,
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        ignore: uuid.UUID | None,
        spans: dict[uuid.UUID, list[BusySpan]] | None = None,
    ) -> dict[uuid.UUID, list[Busy]]:
        """Each member's busy time: appointments (alone or together) and calendars."""
        members = team_rules.members
        rows = await self.busy_repository.of_hosts(
            list(members),
            start - BUSY_MARGIN,
            end + BUSY_MARGIN,
            now,
            ignore=ignore,
            count_seats=False,
        )
        by_host: dict[uuid.UUID, list[BusyRow]] = {host: [] for host in members}
        for row in rows:
            by_host[row.host_id].append(row)
        busy: dict[uuid.UUID, list[Busy]] = {}
        for host, member in members.items():
            if spans is None:
                found = await self.calendars.of_host(host, start - BUSY_MARGIN, end + BUSY_MARGIN)
            else:
                found = spans.get(host, [])
            busy[host] = member.busy(by_host[host]) + calendar_busy(found)
        return busy

    @staticmethod
    def _team_slots(
        team_rules: TeamRules,
        busy: dict[uuid.UUID, list[Busy]],
        *,
        hosts: frozenset[uuid.UUID] | None,
        start: datetime,
        end: datetime,
        duration: int,
        now: datetime,
    ) -> list[team.TeamSlot]:
        per_host = {
            host: compute_slots(member.query(start, end, duration), busy[host], now)
            for host, member in team_rules.members.items()
            if hosts is None or host in hosts or team_rules.method is team.Method.EVERYONE
        }
        return team.team_slots(
            per_host, team_rules.order(hosts), team_rules.method, team_rules.all_members
        )

    async def team_slot(
        self,
        team_rules: TeamRules,
        start: datetime,
        duration: int,
        now: datetime,
        *,
        hosts: frozenset[uuid.UUID] | None = None,
        ignore: uuid.UUID | None = None,
    ) -> team.TeamSlot | None:
        """The team's slot starting exactly at `start`, with the units free for it, best first
        (bookings re-check this under the members' locks)."""
        window_end = start + timedelta(microseconds=1)
        busy = await self._team_busy(team_rules, start, window_end, now, ignore=ignore)
        found = self._team_slots(
            team_rules, busy, hosts=hosts, start=start, end=window_end, duration=duration, now=now
        )
        return next((item for item in found if item.slot.start == start), None)

    async def _stamp(self, request: SlotRequest) -> HostVersion:
        stamp = await self.versions.of_meeting_type(request.meeting_type_id)
        if stamp is None:
            raise NotFound("Meeting type not found")
        return stamp

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
