"""/v4/provisional-booking: bookings waiting for confirmation, confirm and decline.

A provisional booking is an appointment row with status `pending` and booking type
`hostConfirmation` or `doubleOptIn` (waiting for its attendee, `services/opt_in.py`); it holds
its slot until confirmed (same id, now confirmed, with a new invitee secret), declined, or it
expires (`SLOTWISE_PROVISIONAL_TTL_MINUTES`). Only the host and admins (platform keys included)
see and decide it; a booking waiting for its attendee they may decline, never confirm (409).
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.bookings import schemas as s
from slotwise.bookings.lifecycle import Actor, AppointmentLifecycle
from slotwise.bookings.services.appointment import host_filter
from slotwise.bookings.views import provisional_view
from slotwise.db.settled import next_cursor, polling_window
from slotwise.models import Appointment


@dataclass(frozen=True)
class ProvisionalQuery:
    page: int = 0
    page_size: int = 20
    status: s.ProvisionalStatus | None = None
    meeting_type_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    #: polling: `sortBy=updatedAt`, changed at or after `updated_since`, past `cursor`
    sort_by: str | None = None
    updated_since: str | None = None
    cursor: str | None = None


class ProvisionalService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.principal = principal
        self.core = AppointmentLifecycle(session, principal.company_id)

    async def list(self, query: ProvisionalQuery) -> s.ProvisionalBookingList:
        now = datetime.now(UTC)
        polling = await polling_window(
            self.core.session, query.sort_by, query.updated_since, query.cursor
        )
        rows, total = await self.core.appointments.provisional_page(
            host_filter(self.principal, query.user_id),
            query.status,
            query.meeting_type_id,
            now,
            limit=query.page_size,
            offset=0 if query.cursor else query.page * query.page_size,
            updated=polling,
        )
        hosts = await self.core.hosts.by_ids(row.host_user_id for row in rows)
        return s.ProvisionalBookingList(
            provisional_bookings=[
                provisional_view(row, hosts[row.host_user_id], now) for row in rows
            ],
            total=total,
            next_cursor=next_cursor(polling, rows, query.cursor),
        )

    async def _row(self, booking_id: uuid.UUID) -> Appointment:
        host = None if self.principal.is_admin else self.principal.user_id
        return await self.core.appointments.provisional(booking_id, host)

    async def confirm(self, booking_id: uuid.UUID) -> s.BookingCreated:
        """Confirm under the host's lock: 409 once expired, declined or confirmed."""
        return await self.core.confirm(await self._row(booking_id))

    async def decline(self, booking_id: uuid.UUID) -> s.ProvisionalBooking:
        row = await self._row(booking_id)
        return await self.core.decline(row, Actor.staff(self.principal, row))


async def provide_provisional_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> ProvisionalService:
    return ProvisionalService(db, principal)
