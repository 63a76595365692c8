"""Bookings out: an appointment's event in the host's chosen calendar.

Every booking change queues one outbox row per connection concerned (the host's connection
with a calendar that receives bookings, and any connection the appointment was written to
before), in the change's own transaction: a rolled-back change writes nothing out, a committed
one is never lost. The job then makes the calendar match the appointment as it is at that
moment: PUT while it is confirmed (one resource per appointment, named by the UID of the
appointment's invitations, so a retry overwrites instead of adding), DELETE otherwise. Running
it twice changes nothing twice; a server that is down is retried on a schedule.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar as ICalendar
from icalendar import Event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.calendars import queue
from slotwise.calendars.caldav import CalDavClient, event_href
from slotwise.calendars.http import CalendarError, calendar_http
from slotwise.calendars.repository import (
    AppointmentReadRepository,
    CalendarRepository,
    ConnectionRepository,
    PushRepository,
)
from slotwise.calendars.secrets import Login, open_login
from slotwise.calendars.wakeups import push_wakeup
from slotwise.db.leases import give_back
from slotwise.db.tenancy import CompanyId
from slotwise.jobs import after_commit
from slotwise.kit.sealing import Keyring, SealError
from slotwise.models import Appointment, AppointmentStatus, Attendee, PushStatus

log = logging.getLogger("slotwise.calendars")

#: the UID of an appointment's invitations (`bookings.ics.uid`): calendars that got the
#: invitation and the event written here see one event
UID_DOMAIN = "slotwise"
PRODID = "-//slotwise//calendars//EN"
#: waits before retry n; then the row is failed (about a day and a half in all)
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    timedelta(hours=12),
)
LEASE = timedelta(seconds=90)


def uid(appointment_id: uuid.UUID) -> str:
    return f"{appointment_id}@{UID_DOMAIN}"


#: changes that leave the calendar's copy as it is
UNCHANGED_BY = frozenset({"booking_completed"})


async def on_booking_change(
    session: AsyncSession, company_id: CompanyId, appointment: Appointment, event: str
) -> None:
    """Queue the appointment for every connection it concerns (in the change's transaction)."""
    if event in UNCHANGED_BY:
        return
    pushes = PushRepository(session, company_id)
    confirmed = appointment.status is AppointmentStatus.CONFIRMED
    targets = await pushes.targets(appointment.id, appointment.host_user_id, confirmed)
    now = datetime.now(UTC)
    for connection_id in targets:
        push_id, attempts = await pushes.queue(connection_id, appointment.id, now)
        after_commit(session, push_wakeup(push_id, attempts + 1))


def event_ics(appointment: Appointment, attendees: list[Attendee]) -> bytes:
    """The host's copy of the appointment: no organizer or attendees (a server that schedules
    would mail them invitations a second time), their names in the title and description."""
    names = [
        f"{a.firstname} {a.lastname}".strip() or a.email
        for a in attendees
        if a.cancelled_at is None
    ]
    info = appointment.meeting_info
    title = str(info.get("icsTitle") or info.get("name") or "Appointment")
    cal = ICalendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", uid(appointment.id))
    event.add("sequence", appointment.ics_sequence)
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.start_at)
    event.add("dtend", appointment.end_at)
    event.add("summary", f"{title}: {', '.join(names)}" if names else title)
    lines = [f"{a.firstname} {a.lastname} <{a.email}>".strip() for a in attendees]
    if lines:
        event.add("description", "\n".join(lines))
    location = appointment.location or info.get("meetingLink")
    if location:
        event.add("location", str(location))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return bytes(cal.to_ical())


@dataclass(frozen=True)
class Plan:
    """What one run writes: the event to put (where and what), the old copy to remove."""

    login: Login
    put_href: str | None
    ics: bytes | None
    delete_href: str | None


class Pusher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        keyring: Keyring,
        *,
        allow_private: bool,
        timeout_seconds: float = 15.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessions = sessions
        self.keyring = keyring
        self.allow_private = allow_private
        self.timeout_seconds = timeout_seconds
        self.clock = clock

    async def push(self, push_id: uuid.UUID) -> PushStatus | None:
        """Run one due push; its new status, or None when it was not this worker's."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            company_id = await queue.push_company(session, push_id)
            if company_id is None:
                return None
            attempt = await queue.claim_push(session, push_id, now, now + LEASE)
            if attempt is None:
                return None
            try:
                plan = await self._plan(session, company_id, push_id)
            except SealError:
                plan = None
        if plan is None:
            return await self._finish(company_id, push_id, attempt, "Credentials unreadable")
        try:
            await self._write(plan)
        except CalendarError as exc:
            return await self._finish(company_id, push_id, attempt, str(exc))
        except asyncio.CancelledError:
            await give_back(self.sessions, lambda s: queue.release_push(s, push_id, attempt))
            raise
        return await self._finish(company_id, push_id, attempt, None, plan.put_href)

    async def _plan(self, session: AsyncSession, company_id: CompanyId, push_id: uuid.UUID) -> Plan:
        push = await PushRepository(session, company_id).get_or_404(push_id)
        connection = await ConnectionRepository(session, company_id).get_or_404(push.connection_id)
        reads = AppointmentReadRepository(session, company_id)
        appointment = await reads.get(push.appointment_id)
        target = None
        wanted = (
            appointment is not None
            and appointment.status is AppointmentStatus.CONFIRMED
            and appointment.host_user_id == connection.user_id
        )
        if wanted:
            calendars = await CalendarRepository(session, company_id).of_connections(
                [connection.id]
            )
            target = next((c for c in calendars if c.receives_bookings), None)
        login = open_login(self.keyring, connection.id, connection.credentials)
        if appointment is None or target is None:
            return Plan(login, None, None, push.event_href)
        href = event_href(target.href, uid(appointment.id))
        ics = event_ics(appointment, await reads.attendees(appointment.id))
        old = push.event_href if push.event_href and push.event_href != href else None
        return Plan(login, href, ics, old)

    async def _write(self, plan: Plan) -> None:
        async with calendar_http(
            allow_private=self.allow_private,
            username=plan.login.username,
            password=plan.login.password,
            timeout_seconds=self.timeout_seconds,
        ) as http:
            client = CalDavClient(http)
            if plan.delete_href is not None:
                await client.delete(plan.delete_href)
            if plan.put_href is not None and plan.ics is not None:
                await client.put(plan.put_href, plan.ics)

    async def _finish(
        self,
        company_id: CompanyId,
        push_id: uuid.UUID,
        attempt: int,
        error: str | None,
        event_href: str | None = None,
    ) -> PushStatus | None:
        retry_at = None
        if error is None:
            status = PushStatus.DONE
        elif attempt <= len(RETRY_DELAYS):
            status, retry_at = PushStatus.QUEUED, self.clock() + RETRY_DELAYS[attempt - 1]
            log.warning("calendar push %s attempt %d: %s", push_id, attempt, error)
        else:
            status = PushStatus.FAILED
        async with self.sessions() as session, session.begin():
            done = await PushRepository(session, company_id).finish(
                push_id, attempt, status, error=error, event_href=event_href, retry_at=retry_at
            )
        return status if done else None
