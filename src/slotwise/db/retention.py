"""Rows kept only for a while are deleted once their time is up, in small batches, so no table
grows without bound (a periodic worker job).

Cross-tenant by nature (declared to the tenancy lint): it reads nothing of any company, it
only drops what has expired for every company alike.
"""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.models import IdempotencyRecord

#: rows deleted per statement: short transactions, no long lock on the table
BATCH = 1000


async def purge_expired_replays(session: AsyncSession, now: datetime, batch: int = BATCH) -> int:
    """Delete up to `batch` stored answers whose 24 hours have passed; how many went."""
    expired = (
        select(IdempotencyRecord.id)
        .where(IdempotencyRecord.expires_at <= now)
        .limit(batch)
        .scalar_subquery()
    )
    result = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.id.in_(expired))
    )
    return int(getattr(result, "rowcount", 0) or 0)
