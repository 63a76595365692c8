"""Queries on a company's calendar connections, their calendars, busy copies and pushes."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from slotwise.db.session import driver_connection
from slotwise.db.tenancy import TenantRepository
from slotwise.models import (
    Appointment,
    Attendee,
    Calendar,
    CalendarBusy,
    CalendarConnection,
    CalendarPush,
    PushStatus,
    User,
    uuid7,
)


class ConnectionRepository(TenantRepository[CalendarConnection]):
    model = CalendarConnection
    not_found_message = "Calendar connection not found"

    async def of_user(self, user_id: uuid.UUID | None) -> list[CalendarConnection]:
        where = () if user_id is None else (CalendarConnection.user_id == user_id,)
        return await self.list(*where, order_by=[CalendarConnection.created_at])

    async def claim_sync(
        self, connection_id: uuid.UUID, now: datetime, until: datetime
    ) -> CalendarConnection | None:
        """Take the connection for one sync; None while another sync holds it."""
        stmt = (
            update(CalendarConnection)
            .where(
                self._scope,
                CalendarConnection.id == connection_id,
                (CalendarConnection.sync_locked_until.is_(None))
                | (CalendarConnection.sync_locked_until < now),
            )
            .values(sync_locked_until=until)
            .returning(CalendarConnection)
            .execution_options(populate_existing=True)
        )
        found: CalendarConnection | None = (await self.session.scalars(stmt)).one_or_none()
        return found

    async def bump_schedule(self, user_id: uuid.UUID) -> None:
        """A change of the host's busy time: cached slot answers of the host go stale."""
        await self.session.execute(
            text("SELECT bump_schedule_version(:company, ARRAY[CAST(:host AS uuid)])"),
            {"company": self.company_id, "host": user_id},
        )


class CalendarRepository(TenantRepository[Calendar]):
    model = Calendar
    not_found_message = "Calendar not found"

    async def of_connections(self, connection_ids: Sequence[uuid.UUID]) -> list[Calendar]:
        if not connection_ids:
            return []
        return await self.list(
            Calendar.connection_id.in_(connection_ids), order_by=[Calendar.created_at]
        )

    async def booking_calendar(self, user_id: uuid.UUID) -> Calendar | None:
        """The host's calendar that receives bookings, if any."""
        stmt = (
            self.select(Calendar.receives_bookings.is_(True))
            .join(
                CalendarConnection,
                (CalendarConnection.company_id == Calendar.company_id)
                & (CalendarConnection.id == Calendar.connection_id),
            )
            .where(CalendarConnection.user_id == user_id)
            .limit(1)
        )
        found: Calendar | None = (await self.session.scalars(stmt)).first()
        return found


class BusyRepository(TenantRepository[CalendarBusy]):
    model = CalendarBusy

    async def replace(
        self,
        calendar: Calendar,
        user_id: uuid.UUID,
        spans: Sequence[tuple[datetime, datetime]],
    ) -> None:
        """The calendar's busy copy becomes `spans`."""
        await self.session.execute(
            delete(CalendarBusy).where(self._scope, CalendarBusy.calendar_id == calendar.id)
        )
        if spans:
            rows = [
                {
                    "id": uuid7(),
                    "company_id": self.company_id,
                    "calendar_id": calendar.id,
                    "connection_id": calendar.connection_id,
                    "user_id": user_id,
                    "start_at": start,
                    "end_at": end,
                }
                for start, end in spans
            ]
            await self.session.execute(insert(CalendarBusy), rows)

    async def clear(self, calendar_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(CalendarBusy).where(self._scope, CalendarBusy.calendar_id == calendar_id)
        )


#: the host's connections with their last sync, each with its busy spans in the window (one
#: row per span; a connection without any in the window comes once, with null times)
_HOST_SQL = """
SELECT c.id, c.synced_at, b.start_at, b.end_at
FROM calendar_connection c
LEFT JOIN calendar_busy b
  ON b.company_id = c.company_id AND b.connection_id = c.id
 AND b.start_at < $4 AND b.end_at > $3
WHERE c.company_id = $1 AND c.user_id = $2 AND c.provider IN ('caldav', 'ics')
ORDER BY b.start_at
"""


class HostCalendarRows(NamedTuple):
    #: connection id → its last successful sync
    synced: dict[uuid.UUID, datetime | None]
    spans: list[tuple[datetime, datetime, uuid.UUID]]


class HostBusyRepository(TenantRepository[CalendarBusy]):
    """The slot engine's read: one prepared statement, like the appointments' busy query, and
    one indexed probe that finds nothing for a host without calendars."""

    model = CalendarBusy

    async def of_host(self, user_id: uuid.UUID, start: datetime, end: datetime) -> HostCalendarRows:
        driver = await driver_connection(self.session)
        rows = await driver.fetch(_HOST_SQL, self.company_id, user_id, start, end)
        synced = {row[0]: row[1] for row in rows}
        spans = [(row[2], row[3], row[0]) for row in rows if row[2] is not None]
        return HostCalendarRows(synced, spans)


#: the connections a booking change concerns: those it was written to before, and (while it
#: is confirmed) the host's connection whose calendar receives bookings
_TARGETS_SQL = """
SELECT p.connection_id FROM calendar_push p
WHERE p.company_id = $1 AND p.appointment_id = $2
UNION
SELECT c.connection_id FROM calendar c
JOIN calendar_connection k ON k.company_id = c.company_id AND k.id = c.connection_id
WHERE $4 AND c.company_id = $1 AND k.user_id = $3 AND c.receives_bookings
"""


class PushRepository(TenantRepository[CalendarPush]):
    model = CalendarPush

    async def targets(
        self, appointment_id: uuid.UUID, host_id: uuid.UUID, confirmed: bool
    ) -> list[uuid.UUID]:
        """One round trip on every booking change (most hosts have no calendar)."""
        driver = await driver_connection(self.session)
        rows = await driver.fetch(_TARGETS_SQL, self.company_id, appointment_id, host_id, confirmed)
        return sorted(row[0] for row in rows)

    async def queue(
        self, connection_id: uuid.UUID, appointment_id: uuid.UUID, now: datetime
    ) -> tuple[uuid.UUID, int]:
        """Queue the appointment for the connection (again): the job writes its state then.
        The row's id and the attempts made so far."""
        stmt = (
            pg_insert(CalendarPush)
            .values(
                id=uuid7(),
                company_id=self.company_id,
                connection_id=connection_id,
                appointment_id=appointment_id,
                status=PushStatus.QUEUED,
                attempts=0,
                next_attempt_at=now,
            )
            .on_conflict_do_update(
                constraint="uq_calendar_push_appointment",
                set_={
                    "status": PushStatus.QUEUED,
                    "next_attempt_at": now,
                    "locked_until": None,
                    "updated_at": func.now(),
                },
            )
            .returning(CalendarPush.id, CalendarPush.attempts)
        )
        row = (await self.session.execute(stmt)).one()
        return row[0], row[1]

    async def finish(
        self,
        push_id: uuid.UUID,
        attempt: int,
        status: PushStatus,
        *,
        error: str | None,
        event_href: str | None,
        retry_at: datetime | None,
    ) -> bool:
        """Record how attempt `attempt` went, if the row is still that attempt's (queued again
        by a newer change, or taken over after the lease, it records nothing)."""
        values: dict[str, object] = {"status": status, "locked_until": None}
        values["error"] = None if error is None else error[:500]
        if status is PushStatus.DONE:
            values["event_href"] = event_href
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        stmt = (
            update(CalendarPush)
            .where(
                self._scope,
                CalendarPush.id == push_id,
                CalendarPush.status == PushStatus.SENDING,
                CalendarPush.attempts == attempt,
            )
            .values(**values)
            .returning(CalendarPush.id)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).first() is not None


class AppointmentReadRepository(TenantRepository[Appointment]):
    """The appointment a push writes out, and its attendees."""

    model = Appointment

    async def attendees(self, appointment_id: uuid.UUID) -> list[Attendee]:
        stmt = select(Attendee).where(
            Attendee.company_id == self.company_id, Attendee.appointment_id == appointment_id
        )
        return list((await self.session.scalars(stmt)).all())


class UserZoneRepository(TenantRepository[User]):
    model = User
    not_found_message = "User not found"

    async def zone(self, user_id: uuid.UUID) -> str:
        """The host's time zone: all-day events and floating times are read in it."""
        user = await self.get(user_id)
        return user.timezone if user is not None else "UTC"
