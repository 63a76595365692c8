"""The worker's view of calendars: the one cross-tenant part of this package.

The sync sweep finds connections due a sync whatever their company, and the push job finds its
outbox row by id; each takes the company off the row for everything else (declared
cross-tenant for the tenancy lint).
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.leases import Due, Outbox
from slotwise.db.tenancy import CompanyId
from slotwise.models import CalendarConnection, CalendarProvider, CalendarPush, PushStatus

PUSHES = Outbox(CalendarPush, PushStatus.QUEUED, PushStatus.SENDING)
SYNCED = (CalendarProvider.CALDAV, CalendarProvider.ICS)


async def due_for_sync(
    session: AsyncSession, now: datetime, every: timedelta, limit: int
) -> list[tuple[CompanyId, uuid.UUID]]:
    """Connections last synced longer than `every` ago that no sync holds, oldest first."""
    conn = CalendarConnection
    stmt = (
        select(conn.company_id, conn.id)
        .where(
            conn.provider.in_(SYNCED),
            or_(conn.synced_at.is_(None), conn.synced_at <= now - every),
            or_(conn.sync_locked_until.is_(None), conn.sync_locked_until < now),
        )
        .order_by(conn.synced_at.asc().nulls_first())
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return [(CompanyId(row[0]), row[1]) for row in rows]


async def push_company(session: AsyncSession, push_id: uuid.UUID) -> CompanyId | None:
    """The company of an outbox row (None once it is gone)."""
    stmt = select(CalendarPush.company_id).where(CalendarPush.id == push_id)
    found = (await session.execute(stmt)).scalar_one_or_none()
    return None if found is None else CompanyId(found)


async def claim_push(
    session: AsyncSession, push_id: uuid.UUID, now: datetime, lease_until: datetime
) -> int | None:
    return await PUSHES.claim(session, push_id, now, lease_until)


async def release_push(session: AsyncSession, push_id: uuid.UUID, attempt: int) -> bool:
    return await PUSHES.release(session, push_id, attempt)


async def due_pushes(
    session: AsyncSession, now: datetime, wake_until: datetime, limit: int
) -> list[Due]:
    return await PUSHES.due(session, now, wake_until, limit)
