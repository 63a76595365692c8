"""Appointment and attendee queries, scoped to one company; the per-host booking lock."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, or_, update
from sqlalchemy.orm import aliased

from slotwise.db.locks import lock
from slotwise.db.tenancy import TenantRepository
from slotwise.models import Appointment, AppointmentStatus, Attendee


class AppointmentRepository(TenantRepository[Appointment]):
    model = Appointment
    not_found_message = "Appointment not found"

    async def lock_host(self, host_id: uuid.UUID) -> None:
        """Serialise every booking decision about one host until the transaction ends."""
        await lock(self.session, f"host:{host_id}")

    async def locked(self, appointment_id: uuid.UUID) -> Appointment | None:
        """The row as committed now, locked for update (fresh even if loaded before)."""
        stmt = (
            self.select(Appointment.id == appointment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def expire_pending(self, host_id: uuid.UUID, now: datetime) -> None:
        """Pending bookings of the host past their expiry stop holding their slots."""
        stmt = (
            update(Appointment)
            .where(
                self._scope,
                Appointment.host_user_id == host_id,
                Appointment.status == AppointmentStatus.PENDING,
                Appointment.expires_at <= now,
            )
            .values(status=AppointmentStatus.EXPIRED)
            .execution_options(synchronize_session="fetch")
        )
        await self.session.execute(stmt)

    def matching(self, search: str) -> ColumnElement[bool]:
        """Appointments with an attendee whose name or email contains `search`."""
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        full_name = Attendee.firstname + " " + Attendee.lastname
        return exists().where(
            Attendee.company_id == Appointment.company_id,
            Attendee.appointment_id == Appointment.id,
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (Attendee.email, Attendee.firstname, Attendee.lastname)
                ),
                full_name.ilike(pattern, escape="\\"),
            ),
        )

    async def future_of_host(self, host_id: uuid.UUID, now: datetime) -> list[Appointment]:
        """The host's confirmed and pending appointments that have not started, locked."""
        stmt = (
            self.select(
                Appointment.host_user_id == host_id,
                Appointment.status.in_((AppointmentStatus.CONFIRMED, AppointmentStatus.PENDING)),
                Appointment.start_at >= now,
            )
            .order_by(Appointment.start_at)
            .with_for_update()
        )
        return list((await self.session.scalars(stmt)).all())

    async def overlapping_other_host(
        self, rows: Sequence[Appointment], other_host_id: uuid.UUID, now: datetime
    ) -> list[Appointment]:
        """Blocking appointments of `other_host_id` that overlap any of `rows`."""
        if not rows:
            return []
        mine = aliased(Appointment)
        ids = [row.id for row in rows]
        overlap = exists().where(
            mine.company_id == Appointment.company_id,
            mine.id.in_(ids),
            mine.start_at < Appointment.end_at,
            mine.end_at > Appointment.start_at,
        )
        blocking = or_(
            Appointment.status == AppointmentStatus.CONFIRMED,
            and_(
                Appointment.status == AppointmentStatus.PENDING,
                or_(Appointment.expires_at.is_(None), Appointment.expires_at > now),
            ),
        )
        return await self.list(Appointment.host_user_id == other_host_id, blocking, overlap)


class AttendeeRepository(TenantRepository[Attendee]):
    model = Attendee
    not_found_message = "Attendee not found"

    async def of_appointments(self, appointment_ids: Iterable[uuid.UUID]) -> list[Attendee]:
        ids = list(appointment_ids)
        if not ids:
            return []
        return await self.list(
            Attendee.appointment_id.in_(ids), order_by=[Attendee.created_at, Attendee.id]
        )

    async def active(self, appointment_id: uuid.UUID) -> list[Attendee]:
        return await self.list(
            Attendee.appointment_id == appointment_id,
            Attendee.cancelled_at.is_(None),
            order_by=[Attendee.created_at, Attendee.id],
        )

    async def set_secret(self, appointment_id: uuid.UUID, secret_hash: str) -> None:
        stmt = (
            update(Attendee)
            .where(self._scope, Attendee.appointment_id == appointment_id)
            .values(secret_hash=secret_hash)
            .execution_options(synchronize_session="fetch")
        )
        await self.session.execute(stmt)
