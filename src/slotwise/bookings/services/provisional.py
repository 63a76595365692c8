"""/v4/provisional-booking: bookings waiting for host confirmation, confirm and decline.

A provisional booking is an appointment row with status `pending` and booking type
`hostConfirmation`; it holds its slot until the host confirms it (same id, now confirmed, with a
new invitee secret), declines it, or it expires (`SLOTWISE_PROVISIONAL_TTL_MINUTES`). Only the
host and admins (platform keys included) see and decide it.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from litestar.di import NamedDependency
from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.bookings import schemas as s
from slotwise.bookings.lifecycle import Actor, AppointmentLifecycle
from slotwise.bookings.services.appointment import host_filter
from slotwise.bookings.views import provisional_view
from slotwise.kit.errors import NotFound
from slotwise.models import Appointment, AppointmentStatus


@dataclass(frozen=True)
class ProvisionalQuery:
    page: int = 0
    page_size: int = 20
    status: s.ProvisionalStatus | None = None
    meeting_type_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None


def status_filter(status: s.ProvisionalStatus, now: datetime) -> ColumnElement[bool]:
    pending = Appointment.status == AppointmentStatus.PENDING
    lapsed = and_(pending, Appointment.expires_at <= now)
    if status == "pending":
        return and_(pending, or_(Appointment.expires_at.is_(None), Appointment.expires_at > now))
    if status == "expired":
        return or_(Appointment.status == AppointmentStatus.EXPIRED, lapsed)
    if status == "declined_by_host":
        return Appointment.status == AppointmentStatus.DECLINED
    return Appointment.status.in_((AppointmentStatus.CONFIRMED, AppointmentStatus.CANCELLED))


class ProvisionalService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.principal = principal
        self.core = AppointmentLifecycle(session, principal.company_id)

    async def list(self, query: ProvisionalQuery) -> s.ProvisionalBookingList:
        now = datetime.now(UTC)
        host = host_filter(self.principal, query.user_id)
        where: list[ColumnElement[bool]] = [
            Appointment.booking_type == s.HOST_CONFIRMATION,
            Appointment.host_user_id == host,
        ]
        if query.status is not None:
            where.append(status_filter(query.status, now))
        if query.meeting_type_id is not None:
            where.append(Appointment.meeting_type_id == query.meeting_type_id)
        rows = await self.core.appointments.list(
            *where,
            order_by=[Appointment.created_at.desc(), Appointment.id.desc()],
            limit=query.page_size,
            offset=query.page * query.page_size,
        )
        hosts = await self.core.hosts.by_ids(row.host_user_id for row in rows)
        return s.ProvisionalBookingList(
            provisional_bookings=[
                provisional_view(row, hosts[row.host_user_id], now) for row in rows
            ],
            total=await self.core.appointments.count(*where),
        )

    async def _row(self, booking_id: uuid.UUID) -> Appointment:
        where: list[ColumnElement[bool]] = [Appointment.booking_type == s.HOST_CONFIRMATION]
        if not self.principal.is_admin:
            where.append(Appointment.host_user_id == self.principal.user_id)
        row = await self.core.appointments.get(booking_id, *where)
        if row is None:
            raise NotFound("Provisional booking not found")
        return row

    async def confirm(self, booking_id: uuid.UUID) -> s.BookingCreated:
        """Confirm under the host's lock: 409 once expired, declined or confirmed."""
        return await self.core.confirm(await self._row(booking_id))

    async def decline(self, booking_id: uuid.UUID) -> s.ProvisionalBooking:
        row = await self._row(booking_id)
        source = "host" if row.host_user_id == self.principal.user_id else "admin"
        return await self.core.decline(row, Actor(source, str(self.principal.user_id)))


async def provide_provisional_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> ProvisionalService:
    return ProvisionalService(db, principal)
