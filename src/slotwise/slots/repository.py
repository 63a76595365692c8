"""The two queries behind slot computation: the meeting type with its rules, and busy time."""

import uuid
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from slotwise.errors import NotFound
from slotwise.models import (
    Appointment,
    AppointmentStatus,
    Attendee,
    Availability,
    AvailabilityException,
    MeetingType,
)
from slotwise.tenancy import TenantRepository


class SlotRules(TenantRepository[MeetingType]):
    """A live meeting type of the company, its availability and that availability's exceptions."""

    model = MeetingType
    not_found_message = "Meeting type not found"

    async def load(
        self, meeting_type_id: uuid.UUID
    ) -> tuple[MeetingType, Availability, list[AvailabilityException]]:
        exception = aliased(AvailabilityException)
        stmt = (
            select(MeetingType, Availability, exception)
            .join(
                Availability,
                and_(
                    Availability.company_id == MeetingType.company_id,
                    Availability.id == MeetingType.availability_id,
                ),
            )
            .outerjoin(
                exception,
                and_(
                    exception.company_id == Availability.company_id,
                    exception.availability_id == Availability.id,
                ),
            )
            .where(self._scope, MeetingType.id == meeting_type_id, MeetingType.deleted_at.is_(None))
        )
        rows = (await self.session.execute(stmt)).all()
        if not rows:
            raise NotFound(self.not_found_message)
        exceptions = [row[2] for row in rows if row[2] is not None]
        return rows[0][0], rows[0][1], exceptions


class BusyTime(TenantRepository[Appointment]):
    model = Appointment

    async def of_hosts(
        self,
        host_ids: list[uuid.UUID],
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        ignore: uuid.UUID | None = None,
    ) -> list[tuple[Appointment, int]]:
        """Blocking appointments of the hosts overlapping `[start, end)`, with seats taken.

        Pending bookings past their expiry no longer block.
        """
        taken = (
            select(func.count())
            .where(
                Attendee.company_id == Appointment.company_id,
                Attendee.appointment_id == Appointment.id,
                Attendee.cancelled_at.is_(None),
            )
            .correlate(Appointment)
            .scalar_subquery()
        )
        blocking = or_(
            Appointment.status == AppointmentStatus.CONFIRMED,
            and_(
                Appointment.status == AppointmentStatus.PENDING,
                or_(Appointment.expires_at.is_(None), Appointment.expires_at > now),
            ),
        )
        where = [
            Appointment.host_user_id.in_(host_ids),
            blocking,
            Appointment.start_at < end,
            Appointment.end_at > start,
        ]
        if ignore is not None:
            where.append(Appointment.id != ignore)
        stmt = select(Appointment, taken).where(self._scope, *where).order_by(Appointment.start_at)
        return [(row[0], int(row[1])) for row in (await self.session.execute(stmt)).all()]
