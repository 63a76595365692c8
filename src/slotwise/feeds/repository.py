"""Calendar feed queries, scoped to one company."""

import uuid
from datetime import datetime

from slotwise.bookings.repository import VISIBLE_STATUSES
from slotwise.db.tenancy import TenantRepository
from slotwise.models import Appointment, CalendarFeed

#: the most events one feed holds (a year ahead of a busy host stays well below)
MAX_EVENTS = 2000


class CalendarFeedRepository(TenantRepository[CalendarFeed]):
    model = CalendarFeed
    not_found_message = "Calendar feed not found"

    async def of_user(self, user_id: uuid.UUID, *, for_update: bool = False) -> CalendarFeed | None:
        stmt = self.select(CalendarFeed.user_id == user_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).one_or_none()


class FeedAppointmentRepository(TenantRepository[Appointment]):
    model = Appointment

    async def window(
        self, host_id: uuid.UUID, since: datetime, until: datetime
    ) -> list[Appointment]:
        """The host's appointments starting in `[since, until)`, cancelled ones too (a
        subscribed calendar shows them as cancelled), by start."""
        return await self.list(
            Appointment.host_user_id == host_id,
            Appointment.status.in_(VISIBLE_STATUSES),
            Appointment.start_at >= since,
            Appointment.start_at < until,
            order_by=(Appointment.start_at, Appointment.id),
            limit=MAX_EVENTS,
        )
