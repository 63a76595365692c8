"""The host confirms or declines a booking request through the links in their mail.

A link's token is the request's own secret, which nobody else has seen: the invitee gets a
secret only once the host confirms (a new one), and a decline replaces it, so a link works once
and only while the request waits (and until it expires). Opening the link shows a page; only
its button's POST changes anything, because mail scanners open links.
"""

import uuid

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.bookings import schemas as s
from slotwise.bookings.lifecycle import Actor, AppointmentLifecycle
from slotwise.bookings.secret import matches
from slotwise.db.tenancy import CompanyId
from slotwise.db.unscoped import find_appointment_for_invitee
from slotwise.kit.errors import NotFound
from slotwise.models import Appointment, AppointmentStatus

NOT_FOUND = "Booking request not found"


class HostDecisionService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _request(
        self, appointment_id: uuid.UUID, token: str | None
    ) -> tuple[AppointmentLifecycle, Appointment]:
        row = await find_appointment_for_invitee(self.session, appointment_id)
        if row is None or not token or not matches(token, row.secret_hash):
            raise NotFound(NOT_FOUND)
        # a booking still waiting for its attendee (double opt-in) is not the host's to decide
        pending = row.status is AppointmentStatus.PENDING
        if not pending or row.booking_type != s.HOST_CONFIRMATION:
            raise NotFound(NOT_FOUND)
        return AppointmentLifecycle(self.session, CompanyId(row.company_id)), row

    async def view(self, appointment_id: uuid.UUID, token: str | None) -> s.HostDecisionView:
        core, row = await self._request(appointment_id, token)
        meeting_type = await core.meeting_types.get(row.meeting_type_id)
        attendees = await core.attendees.of_appointments([row.id])
        return s.HostDecisionView(
            id=row.id,
            title=meeting_type.name if meeting_type else str(row.meeting_info.get("name", "")),
            start=row.start_at,
            end=row.end_at,
            expires_at=row.expires_at,
            attendees=[f"{a.firstname} {a.lastname}".strip() for a in attendees],
        )

    async def confirm(self, appointment_id: uuid.UUID, data: s.HostDecision) -> s.HostDecided:
        core, row = await self._request(appointment_id, data.secret)
        await core.confirm(row)
        return s.HostDecided(id=row.id, status="confirmed")

    async def decline(self, appointment_id: uuid.UUID, data: s.HostDecision) -> s.HostDecided:
        core, row = await self._request(appointment_id, data.secret)
        host = await core.hosts.get_or_404(row.host_user_id)
        await core.decline(row, Actor("host", str(host.id)), reason=data.reason)
        return s.HostDecided(id=row.id, status="declined")


async def provide_decision_service(db: NamedDependency[AsyncSession]) -> HostDecisionService:
    return HostDecisionService(db)
