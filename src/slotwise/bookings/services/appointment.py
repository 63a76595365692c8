"""/v4/appointment rules: who sees which appointment, paging and filters, cancel, reschedule.

Members see and change the appointments they host; admins and platform keys reach every
appointment of the company (a member gets 404 for someone else's, as for a missing one).
Declined and expired provisional bookings are not appointments: they are listed only under
/v4/provisional-booking.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from litestar.di import NamedDependency
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.bookings import ics
from slotwise.bookings import schemas as s
from slotwise.bookings.lifecycle import Actor, AppointmentLifecycle
from slotwise.kit.errors import FieldError, Forbidden, ValidationFailed
from slotwise.models import Appointment, AppointmentStatus

SortBy = Literal["appointment.start", "appointment.createdAt"]
SortDirection = Literal["ASC", "DESC", "asc", "desc"]
_STATUS = {
    "confirmed": AppointmentStatus.CONFIRMED,
    "pending": AppointmentStatus.PENDING,
    "cancelled": AppointmentStatus.CANCELLED,
}
_SORT = {"appointment.start": Appointment.start_at, "appointment.createdAt": Appointment.created_at}


@dataclass(frozen=True)
class AppointmentQuery:
    """`start`/`end`: appointments overlapping `[start, end)`; `search`: attendee name/email."""

    page: int = 0
    page_size: int = 20
    start: datetime | None = None
    end: datetime | None = None
    status: s.AppointmentStatus | None = None
    meeting_type_id: uuid.UUID | None = None
    search: str | None = None
    user_id: uuid.UUID | None = None
    sort_by: SortBy = "appointment.start"
    sort_direction: SortDirection = "ASC"


def host_filter(principal: Principal, user_id: uuid.UUID | None) -> uuid.UUID:
    """The host whose bookings a list shows: the acting user, or `userId` for admins."""
    if user_id is not None and user_id != principal.user_id and not principal.is_admin:
        raise Forbidden("Admin access required to read another user's bookings")
    return user_id or principal.user_id


class AppointmentService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.principal = principal
        self.core = AppointmentLifecycle(session, principal.company_id)

    def _visible(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [Appointment.status.in_(tuple(_STATUS.values()))]
        if not self.principal.is_admin:
            where.append(Appointment.host_user_id == self.principal.user_id)
        return where

    async def _row(self, appointment_id: uuid.UUID) -> Appointment:
        return await self.core.appointments.get_or_404(appointment_id, *self._visible())

    def actor(self, row: Appointment) -> Actor:
        source = "host" if row.host_user_id == self.principal.user_id else "admin"
        return Actor(source, str(self.principal.user_id))

    async def get(self, appointment_id: uuid.UUID) -> s.Appointment:
        return await self.core.view(await self._row(appointment_id))

    async def page(self, query: AppointmentQuery) -> s.AppointmentList:
        naive = [
            FieldError(name, "Needs a UTC offset, e.g. 2030-01-07T00:00:00Z")
            for name, value in (("start", query.start), ("end", query.end))
            if value is not None and value.utcoffset() is None
        ]
        if naive:
            raise ValidationFailed(errors=naive)
        host = host_filter(self.principal, query.user_id)
        where: list[ColumnElement[bool]] = [Appointment.host_user_id == host]
        if query.status is None:
            where.append(Appointment.status.in_(tuple(_STATUS.values())))
        else:
            where.append(Appointment.status == _STATUS[query.status])
        if query.start is not None:
            where.append(Appointment.end_at > query.start)
        if query.end is not None:
            where.append(Appointment.start_at < query.end)
        if query.meeting_type_id is not None:
            where.append(Appointment.meeting_type_id == query.meeting_type_id)
        if query.search:
            where.append(self.core.appointments.matching(query.search))
        column = _SORT[query.sort_by]
        descending = query.sort_direction.upper() == "DESC"
        order = [column.desc(), Appointment.id.desc()] if descending else [column, Appointment.id]
        rows = await self.core.appointments.list(
            *where,
            order_by=order,
            limit=query.page_size,
            offset=query.page * query.page_size,
        )
        return s.AppointmentList(
            appointments=await self.core.views(rows),
            total=await self.core.appointments.count(*where),
            page=query.page,
            page_size=query.page_size,
        )

    async def today(self) -> list[s.Appointment]:
        """The acting user's confirmed appointments starting today in their time zone."""
        user = await self.core.hosts.get_or_404(self.principal.user_id)
        zone = ZoneInfo(user.timezone)
        day = datetime.now(zone).date()
        first = datetime.combine(day, time(0), zone).astimezone(UTC)
        after = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        rows = await self.core.appointments.list(
            Appointment.host_user_id == user.id,
            Appointment.status == AppointmentStatus.CONFIRMED,
            Appointment.start_at >= first,
            Appointment.start_at < after,
            order_by=[Appointment.start_at, Appointment.id],
        )
        return await self.core.views(rows)

    async def current(self) -> s.Appointment | None:
        """The acting user's confirmed appointment in progress now, if any."""
        now = datetime.now(UTC)
        rows = await self.core.appointments.list(
            Appointment.host_user_id == self.principal.user_id,
            Appointment.status == AppointmentStatus.CONFIRMED,
            Appointment.start_at <= now,
            Appointment.end_at > now,
            order_by=[Appointment.start_at, Appointment.id],
            limit=1,
        )
        return (await self.core.views(rows))[0] if rows else None

    async def ics(self, appointment_id: uuid.UUID) -> bytes:
        row = await self._row(appointment_id)
        attendees = await self.core.attendees.of_appointments([row.id])
        host = await self.core.hosts.get_or_404(row.host_user_id)
        return ics.calendar(row, attendees, host)

    async def cancel(self, appointment_id: uuid.UUID, data: s.CancelAppointment) -> s.Appointment:
        row = await self._row(appointment_id)
        return await self.core.cancel(
            row,
            self.actor(row),
            data.reason,
            attendee_id=data.attendee_id,
            cancel_all=data.cancel_all,
        )

    async def reschedule(
        self, appointment_id: uuid.UUID, data: s.RescheduleAppointment
    ) -> s.Rescheduled:
        """The host, admins and platform keys (the only callers who reach an appointment)
        may all ignore availability."""
        row = await self._row(appointment_id)
        view = await self.core.reschedule(
            row, data.start, ignore_availability=data.ignore_availability
        )
        return s.Rescheduled(appointment=view)


async def provide_appointment_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> AppointmentService:
    return AppointmentService(db, principal)
