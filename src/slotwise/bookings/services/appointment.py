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
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.bookings import ics
from slotwise.bookings import schemas as s
from slotwise.bookings.lifecycle import Actor, AppointmentLifecycle
from slotwise.bookings.repository import VISIBLE_STATUSES, AppointmentFilter
from slotwise.bookings.views import notification_view
from slotwise.db.settled import next_cursor, polling_window
from slotwise.kit import fields
from slotwise.kit.errors import Forbidden, ValidationFailed
from slotwise.models import Appointment, AppointmentStatus
from slotwise.notifications.repository import NotificationRepository

SortBy = Literal["appointment.start", "appointment.createdAt", "updatedAt"]
SortDirection = Literal["ASC", "DESC", "asc", "desc"]
_STATUS = {
    "confirmed": AppointmentStatus.CONFIRMED,
    "pending": AppointmentStatus.PENDING,
    "cancelled": AppointmentStatus.CANCELLED,
}
_SORT: dict[SortBy, Literal["start_at", "created_at", "updated_at"]] = {
    "appointment.start": "start_at",
    "appointment.createdAt": "created_at",
    "updatedAt": "updated_at",
}


@dataclass(frozen=True)
class AppointmentQuery:
    """`start`/`end`: appointments overlapping `[start, end)`; `search`: attendee name/email."""

    page: int = 0
    page_size: int = 20
    #: ISO 8601 date-times with an offset, as sent
    start: str | None = None
    end: str | None = None
    status: s.StatusName | None = None
    meeting_type_id: uuid.UUID | None = None
    search: str | None = None
    user_id: uuid.UUID | None = None
    sort_by: SortBy = "appointment.start"
    sort_direction: SortDirection = "ASC"
    #: only appointments over by then (the Meetario dialect's `completed`)
    ended_by: datetime | None = None
    #: polling (with `sortBy=updatedAt`): changed at or after this, past this cursor
    updated_since: str | None = None
    cursor: str | None = None


def host_filter(principal: Principal, user_id: uuid.UUID | None) -> uuid.UUID:
    """The host whose bookings a list shows: the acting user, or `userId` for admins."""
    if user_id is not None and user_id != principal.user_id and not principal.is_admin:
        raise Forbidden("Admin access required to read another user's bookings")
    return user_id or principal.user_id


class AppointmentService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.principal = principal
        self.core = AppointmentLifecycle(session, principal.company_id)

    async def _row(self, appointment_id: uuid.UUID) -> Appointment:
        host = None if self.principal.is_admin else self.principal.user_id
        return await self.core.appointments.visible(appointment_id, host)

    async def get(self, appointment_id: uuid.UUID) -> s.Appointment:
        return await self.core.view(await self._row(appointment_id))

    async def page(self, query: AppointmentQuery) -> s.AppointmentList:
        start, end, errors = fields.instants(query.start, query.end)
        if errors:
            raise ValidationFailed(errors=errors)
        polling = await polling_window(
            self.core.session, query.sort_by, query.updated_since, query.cursor
        )
        rows, total = await self.core.appointments.page(
            AppointmentFilter(
                host_id=host_filter(self.principal, query.user_id),
                statuses=VISIBLE_STATUSES if query.status is None else (_STATUS[query.status],),
                start=start,
                end=end,
                ended_by=query.ended_by,
                meeting_type_id=query.meeting_type_id,
                search=query.search,
                sort=_SORT[query.sort_by],
                descending=query.sort_direction.upper() == "DESC" and polling is None,
                updated=polling,
            ),
            limit=query.page_size,
            offset=0 if query.cursor else query.page * query.page_size,
        )
        return s.AppointmentList(
            appointments=await self.core.views(rows),
            total=total,
            page=query.page,
            page_size=query.page_size,
            next_cursor=next_cursor(polling, rows, query.cursor),
        )

    async def today(self) -> list[s.Appointment]:
        """The acting user's confirmed appointments starting today in their time zone."""
        user = await self.core.hosts.get_or_404(self.principal.user_id)
        zone = ZoneInfo(user.timezone)
        day = datetime.now(zone).date()
        first = datetime.combine(day, time(0), zone).astimezone(UTC)
        after = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        rows = await self.core.appointments.confirmed_between(user.id, first, after)
        return await self.core.views(rows)

    async def current(self) -> s.Appointment | None:
        """The acting user's confirmed appointment in progress now, if any."""
        row = await self.core.appointments.confirmed_at(self.principal.user_id, datetime.now(UTC))
        return None if row is None else (await self.core.views([row]))[0]

    async def notifications(self, appointment_id: uuid.UUID) -> s.NotificationList:
        """The mails sent (and to be sent) about the appointment, oldest first."""
        row = await self._row(appointment_id)
        rows = NotificationRepository(self.core.session, self.core.company_id)
        found = await rows.of_appointment(row.id)
        return s.NotificationList(notifications=[notification_view(n) for n in found])

    async def ics(self, appointment_id: uuid.UUID) -> bytes:
        row = await self._row(appointment_id)
        attendees = await self.core.attendees.of_appointments([row.id])
        host = await self.core.hosts.get_or_404(row.host_user_id)
        return ics.calendar(row, attendees, host)

    async def cancel(self, appointment_id: uuid.UUID, data: s.CancelAppointment) -> s.Appointment:
        row = await self._row(appointment_id)
        return await self.core.cancel(
            row,
            Actor.staff(self.principal, row),
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
