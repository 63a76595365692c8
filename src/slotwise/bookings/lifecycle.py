"""Booking state changes shared by the authenticated API, invitees and user removal.

Every decision about a host's calendar runs under that host's transaction lock
(`AppointmentRepository.lock_host`), after pending bookings past their expiry are released;
the exclusion constraint on `appointment` is the final arbiter of overlaps. Nothing here
commits, and every change records its webhook event through `webhooks.events.emit` in the
same transaction.
"""

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from slotwise.auth.principal import Principal
from slotwise.bookings import meetario_event
from slotwise.bookings import schemas as s
from slotwise.bookings.repository import (
    AppointmentRepository,
    AttendeeRepository,
)
from slotwise.bookings.secret import new_secret
from slotwise.bookings.views import appointment_view, event_payload, provisional_view, queue_info
from slotwise.calendars.push import on_booking_change
from slotwise.db.tenancy import CompanyId
from slotwise.kit.errors import Conflict, NotFound, SlotUnavailable, ValidationFailed
from slotwise.meeting_types.repository import HostRepository, MeetingTypeRepository
from slotwise.models import Appointment, AppointmentStatus, Attendee, MeetingType, User
from slotwise.notifications.outbox import Change, Notifier, Private
from slotwise.slots.booking_rules import BookingRules
from slotwise.slots.service import SlotService
from slotwise.webhooks import events
from slotwise.webhooks.events import EventType


@dataclass(frozen=True)
class Actor:
    """Who changed a booking, as recorded in `cancel.actionSource` / `cancel.actionBy`."""

    source: str  # host | admin | attendee
    by: str | None

    @classmethod
    def staff(cls, principal: Principal, row: Appointment) -> "Actor":
        """The acting user: the appointment's host, or an admin acting on someone else's."""
        source = "host" if row.host_user_id == principal.user_id else "admin"
        return cls(source, str(principal.user_id))


#: a double opt-in booking the attendee has not confirmed yet
WAITS_FOR_ATTENDEE = "The booking waits for the attendee to confirm it through the mailed link"
Created = s.BookingCreated | s.ProvisionalBookingCreated


def minutes(row: Appointment) -> int:
    return int((row.end_at - row.start_at) // timedelta(minutes=1))


class AppointmentLifecycle:
    """An appointment's state changes (cancel, reschedule, confirm, decline), each made under
    its host's transaction lock so the buffer rules see every concurrent change."""

    def __init__(self, session: AsyncSession, company_id: CompanyId) -> None:
        self.session = session
        self.company_id = company_id
        self.appointments = AppointmentRepository(session, company_id)
        self.attendees = AttendeeRepository(session, company_id)
        self.hosts = HostRepository(session, company_id)
        self.meeting_types = MeetingTypeRepository(session, company_id)
        self.slots = SlotService(session, company_id)

    async def hold(self, host_id: uuid.UUID, now: datetime) -> None:
        """Take the host's lock and release their expired pending bookings."""
        await self.appointments.lock_host(host_id)
        await self.appointments.expire_pending(host_id, now)

    async def locked(self, appointment_id: uuid.UUID) -> Appointment:
        row = await self.appointments.locked(appointment_id)
        if row is None:  # pragma: no cover - callers found the row in this transaction
            raise NotFound("Appointment not found")
        return row

    async def save(self, *rows: object, new: bool = False) -> None:
        """Flush now (an overlap fails here with 409) and load the columns of `rows` the flush
        left unknown, reading back only those the server may have set.

        `new` rows' INSERTs returned their server-set columns, and those they did not name are
        NULL; after an UPDATE `updated_at` is read back.
        """
        await self.session.flush()
        for row in rows:
            missing = _unknown(row, new=new)
            if missing:
                await self.session.refresh(row, missing)

    async def views(self, rows: list[Appointment]) -> list[s.Appointment]:
        attendees = defaultdict(list)
        for attendee in await self.attendees.of_appointments(row.id for row in rows):
            attendees[attendee.appointment_id].append(attendee)
        cohosts = await self.appointments.cohosts([row.id for row in rows if row.queue_info])
        ids = {row.host_user_id for row in rows} | {u for users in cohosts.values() for u in users}
        hosts = await self.hosts.by_ids(ids)
        return [
            appointment_view(
                row,
                attendees[row.id],
                hosts[row.host_user_id],
                [hosts[user] for user in cohosts.get(row.id, ()) if user in hosts],
            )
            for row in rows
        ]

    async def _cohosts(self, row: Appointment) -> list[User]:
        if not row.queue_info:
            return []
        ids = (await self.appointments.cohosts([row.id])).get(row.id, [])
        hosts = await self.hosts.by_ids(ids)
        return [hosts[user] for user in ids if user in hosts]

    async def view(self, row: Appointment) -> s.Appointment:
        return (await self.views([row]))[0]

    async def emit(
        self,
        event: EventType,
        row: Appointment,
        *,
        private: Private | None = None,
        attendees: list[Attendee] | None = None,
        **extra: object,
    ) -> s.Appointment:
        """Record `event` for the appointment as it is now, for webhooks and mails; returns its
        wire view. `private` (secrets for the mails' links) never reaches a webhook.
        `attendees`: the appointment's, when the caller has just read them."""
        if attendees is None:
            attendees = await self.attendees.of_appointments([row.id])
        host = await self.hosts.get_or_404(row.host_user_id)
        view = appointment_view(row, attendees, host, await self._cohosts(row))
        meeting_type = await self.meeting_types.get(row.meeting_type_id)
        payload = event_payload(event, view, meeting_type, **extra)
        meetario = None
        if meeting_type is not None:
            meetario = self._meetario_fields(row, view, meeting_type, extra)
        await events.emit(self.session, self.company_id, event, payload, meetario=meetario)
        change = Change(
            event,
            row,
            attendees,
            host,
            reminders=meeting_type.reminders if meeting_type is not None else None,
            private=private or Private(),
            extra=extra,
        )
        await Notifier(self.session, self.company_id).on_change(change)
        await on_booking_change(self.session, self.company_id, row, event)
        return view

    def _meetario_fields(
        self,
        row: Appointment,
        view: s.Appointment,
        meeting_type: MeetingType,
        extra: Mapping[str, object],
    ) -> events.MeetarioFields:
        """The event's Meetario body, built only if an /api/v1 endpoint listens."""

        async def fields() -> dict[str, Any]:
            if "number" in inspect(row).unloaded:
                await self.session.refresh(row, ["number"])
            now = datetime.now(UTC)
            return meetario_event.webhook_fields(view, row.number, meeting_type, now, extra)

        return fields

    @staticmethod
    def _record(actor: Actor, now: datetime, reason: str | None) -> dict[str, object]:
        return {
            "actionSource": actor.source,
            "actionAt": now.isoformat(),
            "actionBy": actor.by,
            "reason": reason,
        }

    @staticmethod
    def _must_be_confirmed(row: Appointment) -> None:
        if row.status is AppointmentStatus.CANCELLED:
            raise Conflict("Appointment is already cancelled")
        if row.status is AppointmentStatus.PENDING and row.booking_type == s.DOUBLE_OPT_IN:
            raise Conflict(WAITS_FOR_ATTENDEE)
        if row.status is AppointmentStatus.PENDING:
            raise Conflict("The booking waits for host confirmation: confirm or decline it")
        if row.status is not AppointmentStatus.CONFIRMED:
            raise NotFound("Appointment not found")

    async def cancel(
        self,
        row: Appointment,
        actor: Actor,
        reason: str | None,
        *,
        attendee_id: uuid.UUID | None = None,
        cancel_all: bool = False,
    ) -> s.Appointment:
        """Cancel the appointment, or remove one attendee of a group appointment.

        Removing the last attendee of a group cancels the appointment.
        """
        row = await self.locked(row.id)
        self._must_be_confirmed(row)
        now = datetime.now(UTC)
        if row.total_spots > 1 and not cancel_all:
            if attendee_id is None:
                message = "Group appointments need attendeeId or cancelAll"
                raise ValidationFailed.field("cancelAll", message)
            removed = await self._remove_attendee(row, attendee_id, actor, now, reason)
            if removed is not None:
                return removed
        row.status = AppointmentStatus.CANCELLED
        row.cancel = self._record(actor, now, reason)
        row.ics_sequence += 1
        await self.save(row)
        return await self.emit(EventType.BOOKING_CANCELLED, row)

    async def _remove_attendee(
        self,
        row: Appointment,
        attendee_id: uuid.UUID,
        actor: Actor,
        now: datetime,
        reason: str | None,
    ) -> s.Appointment | None:
        """Frees one seat; None when it was the last attendee (the caller cancels all)."""
        attendees = await self.attendees.of_appointments([row.id])
        target = next((a for a in attendees if a.id == attendee_id), None)
        if target is None:
            raise NotFound("Attendee not found")
        if target.cancelled_at is not None:
            raise Conflict("Attendee is already cancelled")
        if sum(1 for a in attendees if a.cancelled_at is None) == 1:
            return None
        target.cancelled_at = now
        row.ics_sequence += 1  # the attendee list changed: calendars replace their copy
        await self.save(row)
        return await self.emit(
            EventType.BOOKING_CANCELLED,
            row,
            cancelledAttendeeId=target.id,
            cancellation=self._record(actor, now, reason),
        )

    async def reschedule(
        self, row: Appointment, start: datetime, *, ignore_availability: bool
    ) -> s.Appointment:
        """Move the whole appointment (every attendee of a group), keeping its duration."""
        start = start.astimezone(UTC)
        rules = await self.slots.rules(row.meeting_type_id)
        now = datetime.now(UTC)
        hosts = [row.host_user_id, *(await self.appointments.cohosts([row.id])).get(row.id, [])]
        for host in sorted(hosts):
            await self.hold(host, now)
        row = await self.locked(row.id)
        self._must_be_confirmed(row)
        if not ignore_availability and not await self._free_at(rules, hosts, row, start, now):
            raise SlotUnavailable()
        previous = row.start_at
        row.end_at = start + (row.end_at - row.start_at)
        row.start_at = start
        row.rescheduled_at = now
        row.reschedule_count += 1
        row.ics_sequence += 1
        await self.save(row)
        return await self.emit(EventType.BOOKING_RESCHEDULED, row, previousStart=previous)

    async def _free_at(
        self,
        rules: BookingRules,
        hosts: list[uuid.UUID],
        row: Appointment,
        start: datetime,
        now: datetime,
    ) -> bool:
        """Whether every host of the appointment lists `start` (a team type's hosts each by
        their own availability); a group appointment cannot move onto another."""
        if rules.team:
            team_rules = await self.slots.load_team(rules, now)
            each = [team_rules.members.get(host) for host in hosts]
            if any(member is None for member in each):
                return False
            checks = [member for member in each if member is not None]
        else:
            checks = [rules]
        for member in checks:
            slot = await self.slots.find_slot(member, start, minutes(row), now, ignore=row.id)
            if slot is None or slot.appointment_id is not None:
                return False
        return True

    async def _pending(self, row: Appointment, now: datetime) -> Appointment:
        """The provisional booking, locked and still pending; expired ones are released first
        and answer 409 `slot_unavailable` (their slot may belong to someone else by now)."""
        await self.hold(row.host_user_id, now)
        row = await self.locked(row.id)
        if row.status is AppointmentStatus.EXPIRED:
            raise SlotUnavailable("The provisional booking expired; its slot is no longer held")
        if row.status is not AppointmentStatus.PENDING:
            state = "declined" if row.status is AppointmentStatus.DECLINED else "confirmed"
            raise Conflict(f"The provisional booking is already {state}")
        return row

    async def _confirmed(self, row: Appointment) -> str:
        """Mark the held booking confirmed; returns the new invitee secret (every attendee's)."""
        secret, hashed = new_secret()
        row.status = AppointmentStatus.CONFIRMED
        row.secret_hash = hashed
        row.ics_sequence += 1  # TENTATIVE becomes CONFIRMED in the calendars that hold it
        await self.attendees.set_secret(row.id, hashed)
        await self.save(row)
        return secret

    async def confirm(self, row: Appointment) -> s.BookingCreated:
        """The host turns a held provisional booking into an appointment; the invitee secret is
        new. A booking still waiting for its attendee is theirs to confirm (409)."""
        row = await self._pending(row, datetime.now(UTC))
        if row.booking_type == s.DOUBLE_OPT_IN:
            raise Conflict(WAITS_FOR_ATTENDEE)
        secret = await self._confirmed(row)
        attendees = await self.attendees.of_appointments([row.id])
        secrets = {attendee.id: secret for attendee in attendees}
        await self.emit(EventType.BOOKING_CONFIRMED, row, private=Private(secrets))
        return s.BookingCreated(
            appointment_id=row.id, secret=secret, queue_booking_info=queue_info(row)
        )

    async def announce(
        self, row: Appointment, secret: str, attendees: list[Attendee] | None = None
    ) -> Created:
        """Tell whoever acts next about a booking just made, or just confirmed by its attendee
        (double opt-in), and answer its booker. `secret` is that party's, never a webhook's:

        - waiting for the attendee: the mail with their confirm link (no webhook yet);
        - waiting for the host: `booking_requested`, the host's Confirm / Decline links;
        - confirmed: `booking_created`, the confirmation with the invitee's manage link.

        `attendees`: the appointment's, when the caller has them (it has just added them).
        """
        if attendees is None:
            attendees = await self.attendees.of_appointments([row.id])
        if row.status is AppointmentStatus.PENDING and row.booking_type == s.DOUBLE_OPT_IN:
            host = await self.hosts.get_or_404(row.host_user_id)
            Notifier(self.session, self.company_id).ask_to_confirm(row, attendees, host, secret)
            return s.ProvisionalBookingCreated(
                booking_type=s.DOUBLE_OPT_IN,
                provisional_booking_id=row.id,
                queue_booking_info=queue_info(row),
            )
        if row.status is AppointmentStatus.PENDING:
            await self.emit(
                EventType.BOOKING_REQUESTED,
                row,
                private=Private(host_token=secret),
                attendees=attendees,
            )
            return s.ProvisionalBookingCreated(
                booking_type=s.HOST_CONFIRMATION,
                provisional_booking_id=row.id,
                queue_booking_info=queue_info(row),
            )
        secrets = {attendee.id: secret for attendee in attendees}
        await self.emit(
            EventType.BOOKING_CREATED, row, private=Private(secrets), attendees=attendees
        )
        return s.BookingCreated(
            appointment_id=row.id, secret=secret, queue_booking_info=queue_info(row)
        )

    async def opt_in(self, row: Appointment, *, host_ttl: timedelta) -> Created:
        """The attendee confirms a double opt-in booking: it is confirmed, as if booked now,
        or, when its meeting type requires host confirmation, it waits for the host next (for
        `host_ttl`). 409 once it expired or left this stage."""
        now = datetime.now(UTC)
        row = await self._pending(row, now)
        if row.booking_type != s.DOUBLE_OPT_IN:  # pragma: no cover - callers check the stage
            raise Conflict("The booking is not waiting for its attendee")
        meeting_type = await self.meeting_types.get(row.meeting_type_id)
        options = meeting_type.meeting_options if meeting_type is not None else {}
        if options.get("requireHostConfirmation") is True:
            secret, hashed = new_secret()
            row.booking_type = s.HOST_CONFIRMATION
            row.secret_hash = hashed
            row.expires_at = now + host_ttl
            await self.save(row)
        else:
            secret = await self._confirmed(row)
        return await self.announce(row, secret)

    async def decline(
        self, row: Appointment, actor: Actor, reason: str | None = None
    ) -> s.ProvisionalBooking:
        now = datetime.now(UTC)
        await self.hold(row.host_user_id, now)
        if (await self.locked(row.id)).status is AppointmentStatus.EXPIRED:
            raise Conflict("The provisional booking expired")
        row = await self._pending(row, now)
        row.status = AppointmentStatus.DECLINED
        row.cancel = self._record(actor, now, reason)
        row.secret_hash = new_secret()[1]  # the host's mailed links stop working
        await self.save(row)
        await self.emit(EventType.BOOKING_DECLINED, row)
        host = await self.hosts.get_or_404(row.host_user_id)
        return provisional_view(row, host, now)


def _unknown(row: object, *, new: bool) -> list[str]:
    """The columns of a flushed row its session does not know. Of a `new` row (its INSERT
    returned the server-set columns), those without a server default were left NULL, and are
    set so here; the rest must be read back."""
    state = inspect(row)
    missing = []
    for column in state.mapper.column_attrs:
        if column.key not in state.unloaded:
            continue
        if new and all(c.server_default is None for c in column.columns):
            set_committed_value(row, column.key, None)
        else:
            missing.append(column.key)
    return missing
