"""Appointments that ended while confirmed and were not announced yet: the one cross-tenant
query of the completion sweep (declared cross-tenant for the tenancy lint). The sweep takes the
company off each row and announces it through the company's own lifecycle."""

import uuid
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.tenancy import CompanyId
from slotwise.models import Appointment, AppointmentStatus


async def claim_ended(
    session: AsyncSession, now: datetime, limit: int
) -> list[tuple[CompanyId, uuid.UUID]]:
    """Mark up to `limit` confirmed appointments that ended by `now` as completed, oldest end
    first, and return them. Rows another transaction holds are left for the next run."""
    stmt = (
        select(Appointment.company_id, Appointment.id)
        .where(
            Appointment.status == AppointmentStatus.CONFIRMED,
            Appointment.completed_at.is_(None),
            Appointment.end_at <= now,
        )
        .order_by(Appointment.end_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    found = [(CompanyId(row[0]), row[1]) for row in (await session.execute(stmt)).all()]
    if found:
        await session.execute(
            update(Appointment)
            .where(tuple_(Appointment.company_id, Appointment.id).in_(found))
            .values(completed_at=now)
            .execution_options(synchronize_session=False)
        )
    return found
