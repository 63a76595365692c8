"""POST /v4/booking: check the slot under the host's lock, insert, record the event.

1. The meeting type must belong to the caller's company (404) and be enabled (409
   `meeting_type_disabled`, even with `ignoreAvailability`); the body is checked against it.
2. The host's transaction lock is taken and their expired pending bookings released. A host
   deleted meanwhile (a deletion takes the same lock) is a 409 `host_deleted`.
3. Unless `ignoreAvailability`, the slot engine must list `start` for this meeting type
   (`SlotService.find_slot`, the same check `GET /v4/booking-availability` runs): hours,
   exceptions, notice, horizon, grid and buffers. Under the lock, no concurrent booking of the
   host can pass this check on stale data.
4. Insert; the exclusion constraint rejects any overlap with a confirmed or pending appointment
   of the host (409 `slot_unavailable`), with or without `ignoreAvailability`.

Group types (spots > 1): a listed slot that joins an appointment adds one attendee to it while
seats are left (counted under the lock); the first booker creates the appointment.

A meeting type may make a new booking provisional (pending, holding its slot): with
`doubleOptIn` it waits for the attendee to confirm through a mailed link first (until the TTL or
the start, whichever is sooner), then, with `requireHostConfirmation` too, for the host; with
`requireHostConfirmation` alone, for the host. Each stage ends where a direct booking begins:
`AppointmentLifecycle.announce`.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.bookings import schemas as s
from slotwise.bookings import validation
from slotwise.bookings.lifecycle import AppointmentLifecycle, Created
from slotwise.bookings.secret import new_secret
from slotwise.db.tenancy import CompanyId
from slotwise.kit.errors import Forbidden, HostDeleted, MeetingTypeDisabled, SlotUnavailable
from slotwise.models import Appointment, AppointmentStatus, uuid7
from slotwise.notifications.outbox import Private
from slotwise.settings import Settings
from slotwise.slots import team
from slotwise.slots.booking_rules import BookingRules
from slotwise.slots.types import as_uuid
from slotwise.webhooks.events import EventType

#: far enough for `find_slot`'s one-instant window
_INSTANT = timedelta(microseconds=1)


class BookingService:
    def __init__(
        self,
        session: AsyncSession,
        company_id: CompanyId,
        ttl_minutes: int,
        principal: Principal | None = None,
    ) -> None:
        """`principal` is the authenticated caller; None for an invitee on a booking page."""
        self.session = session
        self.principal = principal
        self.core = AppointmentLifecycle(session, company_id)
        self.ttl = timedelta(minutes=ttl_minutes)

    async def create(self, data: s.BookingCreate) -> Created:
        rules = await self.core.slots.rules(data.meeting_type_id)
        if not rules.meeting_type.enabled:
            raise MeetingTypeDisabled()
        if rules.team:
            return await self._team_booking(rules, data)
        checked = validation.booking(data, rules)
        if data.ignore_availability:
            self._may_ignore_availability(rules.host_id)
        start = data.start.astimezone(UTC)
        now = datetime.now(UTC)
        await self.core.hold(rules.host_id, now)
        host = await self.core.hosts.live_now(rules.host_id)  # held: the mails' host read
        if host is None:
            raise HostDeleted()
        joined = await self._group_to_join(rules, data, start, checked.duration, now)
        if joined is not None:
            return await self._join(joined, data, checked)
        return await self._insert(rules, data, checked, start, now)

    def _may_ignore_availability(self, host_id: uuid.UUID) -> None:
        principal = self.principal
        if principal is None or not (
            principal.is_platform_key or principal.is_admin or principal.user_id == host_id
        ):
            message = "ignoreAvailability is allowed for platform keys, the host and admins"
            raise Forbidden(message)

    async def _group_to_join(
        self,
        rules: BookingRules,
        data: s.BookingCreate,
        start: datetime,
        duration: int,
        now: datetime,
    ) -> uuid.UUID | None:
        """The group appointment this booking joins; 409 when `start` is not bookable."""
        if not data.ignore_availability:
            slot = await self.core.slots.find_slot(rules, start, duration, now)
            if slot is None:
                raise SlotUnavailable()
            return as_uuid(slot.appointment_id) if slot.appointment_id else None
        if rules.meeting_type.spots == 1:
            return None
        busy = await self.core.slots.busy(rules, start, start + _INSTANT, now)
        same = (b for b in busy if b.joinable and b.interval.start == start and b.appointment_id)
        found = next(same, None)
        return as_uuid(found.appointment_id) if found and found.appointment_id else None

    async def _join(
        self, appointment_id: uuid.UUID, data: s.BookingCreate, checked: validation.Checked
    ) -> s.BookingCreated:
        """One more attendee in a confirmed group appointment with a seat left."""
        row = await self.core.locked(appointment_id)
        same_length = row.end_at - row.start_at == timedelta(minutes=checked.duration)
        if row.status is not AppointmentStatus.CONFIRMED or not same_length:
            raise SlotUnavailable()
        if len(await self.core.attendees.active(row.id)) >= row.total_spots:
            raise SlotUnavailable()
        secret, hashed = new_secret()
        attendee = self.core.attendees.add(
            validation.new_attendee(data.attendee, checked, row.id, hashed)
        )
        row.ics_sequence += 1  # the host's calendar lists the newcomer
        await self.core.save(row)
        await self.core.emit(
            EventType.BOOKING_CREATED,
            row,
            private=Private({attendee.id: secret}, quiet=data.skip_notifications),
            attendeeId=attendee.id,
        )
        return s.BookingCreated(appointment_id=row.id, secret=secret)

    async def _team_booking(self, rules: BookingRules, data: s.BookingCreate) -> Created:
        """A team type: every member's lock is taken (in one order, so two bookings never
        wait on each other), then the standing and the slot are read under them, and the
        booking goes to the first free unit in the queue's order (`anyone`) or to every member
        (`everyone`). Concurrent bookings of one slot thus get different hosts, then 409."""
        members = await self.core.slots.teams.member_ids(rules.meeting_type.id)
        checked = validation.booking(data, rules, frozenset(members))
        start = data.start.astimezone(UTC)
        now = datetime.now(UTC)
        for host in sorted(members):
            await self.core.hold(host, now)
        team_rules = await self.core.slots.load_team(rules, now)
        hosts = self.core.slots.narrow_hosts(team_rules, tuple(data.host_ids or ()))
        found = await self.core.slots.team_slot(
            team_rules, start, checked.duration, now, hosts=hosts
        )
        if found is None:
            raise SlotUnavailable()
        method = team_rules.method
        if method is team.Method.EVERYONE:
            owner = rules.meeting_type.user_id
            lead = owner if owner in team_rules.all_members else team_rules.all_members[0]
            chosen: tuple[uuid.UUID, ...] = (
                lead,
                *(u for u in team_rules.all_members if u != lead),
            )
            reason, group = None, None
        else:
            picked = team.choose(found.units, team_rules.order(hosts))
            if picked is None:  # pragma: no cover - a listed slot has a free unit
                raise SlotUnavailable()
            unit, reason = picked
            chosen = (unit.host, *(u for u in unit.user_ids if u != unit.host))
            group = unit.group_id
        info = s.QueueBookingInfo(
            queue_id=team_rules.queue_id,
            host_id=chosen[0],
            host_ids=list(chosen),
            selection_reason=reason,
            calculation_method=str(method),
            group_id=group,
        )
        return await self._insert(rules, data, checked, start, now, hosts=chosen, info=info)

    async def _insert(
        self,
        rules: BookingRules,
        data: s.BookingCreate,
        checked: validation.Checked,
        start: datetime,
        now: datetime,
        *,
        hosts: tuple[uuid.UUID, ...] = (),
        info: s.QueueBookingInfo | None = None,
    ) -> Created:
        """`hosts`: a team booking's, the lead first (default: the meeting type's host)."""
        meeting_type = rules.meeting_type
        stage = waits_for(meeting_type.meeting_options)
        secret, hashed = new_secret()
        row = self.core.appointments.add(
            Appointment(
                id=uuid7(),
                meeting_type_id=meeting_type.id,
                host_user_id=hosts[0] if hosts else rules.host_id,
                start_at=start,
                end_at=start + timedelta(minutes=checked.duration),
                status=AppointmentStatus.CONFIRMED if stage is None else AppointmentStatus.PENDING,
                buffer_before=meeting_type.buffer_before,
                buffer_after=meeting_type.buffer_after,
                total_spots=rules.spots,
                channel=checked.channel,
                location=data.location,
                meeting_info=validation.meeting_info(meeting_type, checked, data),
                # the attendee's confirm link has a token of its own; until the host's stage
                # the booking's secret is one nobody knows
                secret_hash=new_secret()[1] if stage == s.DOUBLE_OPT_IN else hashed,
                opt_in_hash=hashed if stage == s.DOUBLE_OPT_IN else None,
                booking_type=stage,
                request=msgspec.to_builtins(data),
                expires_at=self._expiry(stage, start, now),
                reschedule_count=0,
                ics_sequence=0,
                skip_notifications=data.skip_notifications,
                queue_info=msgspec.to_builtins(info) if info is not None else None,
            )
        )
        await self.session.flush()  # the exclusion constraint decides here (409 on overlap)
        await self.core.appointments.add_cohosts(row, hosts[1:])
        # a provisional booking has no invitee secret until it is confirmed: until then the
        # booking's secret is the token of the attendee's confirm link or the host's links
        attendee = self.core.attendees.add(
            validation.new_attendee(
                data.attendee, checked, row.id, hashed if stage is None else None
            )
        )
        await self.core.save(row, attendee, new=True)
        return await self.core.announce(row, secret, [attendee])

    def _expiry(
        self, stage: s.BookingType | None, start: datetime, now: datetime
    ) -> datetime | None:
        """How long a provisional booking holds its slot: the TTL, and for the attendee's
        confirmation no later than the start."""
        if stage is None:
            return None
        if stage == s.DOUBLE_OPT_IN:
            return min(now + self.ttl, start)
        return now + self.ttl


def waits_for(options: dict[str, Any]) -> s.BookingType | None:
    """What a new booking of a meeting type waits for: the attendee first (double opt-in),
    then the host (host confirmation), or nothing."""
    if options.get("doubleOptIn") is True:
        return s.DOUBLE_OPT_IN
    if options.get("requireHostConfirmation") is True:
        return s.HOST_CONFIRMATION
    return None


async def provide_booking_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> BookingService:
    return BookingService(db, principal.company_id, settings.provisional_ttl_minutes, principal)
