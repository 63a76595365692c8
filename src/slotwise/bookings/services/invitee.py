"""Invitees act on their own appointment without credentials, proving it with its secret.

The appointment is found by id in any company, then the secret is compared in constant time
with the secret digests of its attendees (each attendee of a group has their own). An unknown
id and a wrong secret get the same 404. In a group appointment, an invitee's cancel removes
only themselves; moving the whole group is for the host, so an invitee cannot reschedule it.
"""

import uuid
from dataclasses import dataclass

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.bookings import schemas as s
from slotwise.bookings.ics import calendar
from slotwise.bookings.lifecycle import Actor, AppointmentLifecycle
from slotwise.bookings.secret import matches
from slotwise.bookings.views import invitee_view
from slotwise.db.tenancy import CompanyId
from slotwise.db.unscoped import find_appointment_for_invitee
from slotwise.kit.errors import Forbidden, NotFound
from slotwise.meeting_types.service import booking_url
from slotwise.models import Appointment, AppointmentStatus, Attendee
from slotwise.settings import Settings

NOT_FOUND = "Appointment not found"


@dataclass(frozen=True)
class Viewed:
    """An invitee's booking, with whose it is (for the page's look)."""

    company_id: CompanyId
    host_user_id: uuid.UUID
    booking: s.InviteeBooking


class InviteeService:
    def __init__(self, session: AsyncSession, public_url: str) -> None:
        self.session = session
        self.public_url = public_url

    async def _standing(
        self, appointment_id: uuid.UUID, secret: str | None
    ) -> tuple[AppointmentLifecycle, Appointment, Attendee]:
        """The booking while it stands; once cancelled, its link reveals nothing."""
        core, row, holder = await self._find(appointment_id, secret)
        if row.status is not AppointmentStatus.CONFIRMED or holder.cancelled_at is not None:
            raise NotFound(NOT_FOUND)
        return core, row, holder

    async def ics(self, appointment_id: uuid.UUID, secret: str | None) -> bytes:
        """The appointment's calendar file (its stable UID and sequence), listing the invitee
        and the host only: other people in a group stay private."""
        core, row, holder = await self._standing(appointment_id, secret)
        host = await core.hosts.get_or_404(row.host_user_id)
        return calendar(row, [holder], host)

    async def view(self, appointment_id: uuid.UUID, secret: str | None) -> Viewed:
        """The invitee's booking while it stands; once cancelled, the link shows nothing."""
        core, row, _ = await self._standing(appointment_id, secret)
        meeting_type = await core.meeting_types.get(row.meeting_type_id)
        host = await core.hosts.get_or_404(row.host_user_id)
        bookable = (
            meeting_type is not None
            and meeting_type.enabled
            and meeting_type.deleted_at is None
            and row.total_spots == 1
        )
        booking = s.InviteeBooking(
            appointment=invitee_view(row),
            title=meeting_type.name if meeting_type else str(row.meeting_info.get("name", "")),
            host_name=host.full_name,
            booking_url=(
                booking_url(self.public_url, host.slug, meeting_type.slug)
                if meeting_type is not None and bookable
                else None
            ),
        )
        return Viewed(CompanyId(row.company_id), host.id, booking)

    async def _find(
        self, appointment_id: uuid.UUID, secret: str | None
    ) -> tuple[AppointmentLifecycle, Appointment, Attendee]:
        row = await find_appointment_for_invitee(self.session, appointment_id)
        if row is None or not secret:
            raise NotFound(NOT_FOUND)
        core = AppointmentLifecycle(self.session, CompanyId(row.company_id))
        holder = None
        for attendee in await core.attendees.of_appointments([row.id]):
            if matches(secret, attendee.secret_hash):
                holder = attendee
        if holder is None:
            raise NotFound(NOT_FOUND)
        return core, row, holder

    async def cancel(
        self, appointment_id: uuid.UUID, data: s.InviteeCancel
    ) -> s.InviteeAppointment:
        core, row, holder = await self._find(appointment_id, data.secret)
        actor = Actor("attendee", holder.email)
        await core.cancel(row, actor, data.reason, attendee_id=holder.id)
        return invitee_view(row)

    async def reschedule(
        self, appointment_id: uuid.UUID, data: s.InviteeReschedule
    ) -> s.InviteeAppointment:
        core, row, _ = await self._find(appointment_id, data.secret)
        if row.total_spots > 1:
            raise Forbidden("An attendee cannot move a group appointment; cancel and book again")
        await core.reschedule(row, data.start, ignore_availability=False)
        return invitee_view(row)


async def provide_invitee_service(
    db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> InviteeService:
    return InviteeService(db, settings.public_url)
