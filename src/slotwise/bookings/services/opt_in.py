"""The attendee confirms a double opt-in booking through the link mailed to them.

The link's token is shown only in that mail and stored as its SHA-256 (`opt_in_hash`, like the
host's request token), compared in constant time; an unknown id and a wrong token are the same
404. Opening the link shows a page; only its button's POST confirms, because mail scanners open
links. The token stays valid once used, so a second confirm answers how the booking stands and
changes nothing (nothing is sent again). Once the booking expired, was declined or cancelled the
link shows nothing (404) and confirming is 409.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.bookings import schemas as s
from slotwise.bookings.lifecycle import AppointmentLifecycle
from slotwise.bookings.secret import matches
from slotwise.db.tenancy import CompanyId
from slotwise.db.unscoped import find_appointment_for_invitee
from slotwise.kit.errors import Conflict, NotFound, SlotUnavailable
from slotwise.models import Appointment, AppointmentStatus
from slotwise.settings import Settings

NOT_FOUND = "Booking not found"


@dataclass(frozen=True)
class OptInViewed:
    """The booking behind a confirm link, with whose it is (for the page's look)."""

    company_id: CompanyId
    host_user_id: uuid.UUID
    booking: s.OptInView


def state_of(row: Appointment, now: datetime) -> s.OptInState | None:
    """Where a double opt-in booking stands for its attendee; None once it holds no time."""
    if row.status is AppointmentStatus.CONFIRMED:
        return "confirmed"
    lapsed = row.expires_at is not None and row.expires_at <= now
    if row.status is not AppointmentStatus.PENDING or lapsed:
        return None
    return "pending" if row.booking_type == s.DOUBLE_OPT_IN else "requested"


class OptInService:
    def __init__(self, session: AsyncSession, ttl_minutes: int) -> None:
        self.session = session
        self.host_ttl = timedelta(minutes=ttl_minutes)

    async def _booking(
        self, appointment_id: uuid.UUID, token: str | None
    ) -> tuple[AppointmentLifecycle, Appointment]:
        row = await find_appointment_for_invitee(self.session, appointment_id)
        if row is None or not token or not matches(token, row.opt_in_hash):
            raise NotFound(NOT_FOUND)
        return AppointmentLifecycle(self.session, CompanyId(row.company_id)), row

    async def view(self, appointment_id: uuid.UUID, token: str | None) -> OptInViewed:
        core, row = await self._booking(appointment_id, token)
        state = state_of(row, datetime.now(UTC))
        if state is None:
            raise NotFound(NOT_FOUND)
        meeting_type = await core.meeting_types.get(row.meeting_type_id)
        host = await core.hosts.get_or_404(row.host_user_id)
        booking = s.OptInView(
            id=row.id,
            title=meeting_type.name if meeting_type else str(row.meeting_info.get("name", "")),
            host_name=host.full_name,
            start=row.start_at,
            end=row.end_at,
            expires_at=row.expires_at if state == "pending" else None,
            status=state,
        )
        return OptInViewed(CompanyId(row.company_id), host.id, booking)

    async def confirm(self, appointment_id: uuid.UUID, data: s.OptInConfirm) -> s.OptInConfirmed:
        """Confirm under the host's lock; a booking already confirmed by its attendee answers
        as it stands (a second click, a double submit)."""
        core, row = await self._booking(appointment_id, data.secret)
        await core.hold(row.host_user_id, datetime.now(UTC))
        row = await core.locked(row.id)
        state = state_of(row, datetime.now(UTC))
        if state == "pending":
            created = await core.opt_in(row, host_ttl=self.host_ttl)
            state = "confirmed" if isinstance(created, s.BookingCreated) else "requested"
        if state is None and row.status is AppointmentStatus.EXPIRED:
            raise SlotUnavailable("The booking expired; its time is no longer held")
        if state is None:
            raise Conflict("The booking is no longer open")
        return s.OptInConfirmed(id=row.id, status=state)


async def provide_opt_in_service(
    db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> OptInService:
    return OptInService(db, settings.provisional_ttl_minutes)
