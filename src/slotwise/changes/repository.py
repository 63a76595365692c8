"""The change log's one query, bound to the company like every tenant query.

Raw SQL, like the other hot reads that bind the company by hand: the cut-off
`pg_snapshot_xmin(pg_current_snapshot())` has no ORM spelling. Only rows of transactions older
than the oldest one still running are read (see `models.change_log`).
"""

import uuid
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.tenancy import CompanyId

_CHANGES = text(
    """
SELECT xid, seq, resource_type, resource_id, action, changed_at
FROM change_log
WHERE company_id = :company_id
  AND (xid, seq) > (:xid, :seq)
  AND xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
  AND resource_type = ANY(:types)
ORDER BY xid, seq
LIMIT :limit
"""
)


class ChangeRow(NamedTuple):
    xid: int
    seq: int
    resource_type: str
    resource_id: uuid.UUID
    action: str
    changed_at: datetime


class ChangeLogRepository:
    def __init__(self, session: AsyncSession, company_id: CompanyId) -> None:
        self.session = session
        self.company_id = company_id

    async def after(self, xid: int, seq: int, types: list[str], limit: int) -> list[ChangeRow]:
        """Up to `limit` final changes after the cursor `(xid, seq)`, in that order."""
        result = await self.session.execute(
            _CHANGES,
            {
                "company_id": self.company_id,
                "xid": xid,
                "seq": seq,
                "types": types,
                "limit": limit,
            },
        )
        return [ChangeRow(*row) for row in result.all()]
