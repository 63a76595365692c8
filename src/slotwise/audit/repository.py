"""Audit log queries, scoped to one company."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement

from slotwise.db.tenancy import TenantRepository
from slotwise.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditFilter:
    start: datetime | None = None
    end: datetime | None = None
    actor_id: uuid.UUID | None = None
    resource_type: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.start is not None:
            where.append(AuditEntry.created_at >= self.start)
        if self.end is not None:
            where.append(AuditEntry.created_at < self.end)
        if self.actor_id is not None:
            where.append(AuditEntry.actor_user_id == self.actor_id)
        if self.resource_type is not None:
            where.append(AuditEntry.resource_type == self.resource_type)
        return where


class AuditRepository(TenantRepository[AuditEntry]):
    model = AuditEntry

    async def page(
        self, query: AuditFilter, page: int, page_size: int
    ) -> tuple[list[AuditEntry], int]:
        """One page, newest first (ids break ties: entries of one transaction share a time)."""
        where = query.where()
        rows = await self.list(
            *where,
            order_by=[AuditEntry.created_at.desc(), AuditEntry.id.desc()],
            limit=page_size,
            offset=page * page_size,
        )
        return rows, await self.count(*where)
