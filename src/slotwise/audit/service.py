"""Reading the company's audit log."""

import uuid
from dataclasses import dataclass

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.audit import schemas as s
from slotwise.audit.repository import AuditFilter, AuditRepository
from slotwise.auth.principal import Principal
from slotwise.kit import fields
from slotwise.kit.errors import ValidationFailed
from slotwise.models import AuditEntry


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """`start`/`end` (the `from`/`to` parameters) as sent: ISO 8601 with an offset."""

    page: int
    page_size: int
    start: str | None = None
    end: str | None = None
    actor_id: uuid.UUID | None = None
    resource_type: str | None = None


class AuditService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.entries = AuditRepository(session, principal.company_id)

    async def page(self, query: AuditQuery) -> s.AuditLog:
        start, end, errors = fields.instants(query.start, query.end, ("from", "to"))
        if errors:
            raise ValidationFailed(errors=errors)
        if start is not None and end is not None and end <= start:
            raise ValidationFailed.field("to", "Must be after from")
        rows, total = await self.entries.page(
            AuditFilter(start, end, query.actor_id, query.resource_type),
            query.page,
            query.page_size,
        )
        return s.AuditLog(
            entries=[_view(row) for row in rows],
            total=total,
            page=query.page,
            page_size=query.page_size,
        )


def _view(row: AuditEntry) -> s.AuditLogEntry:
    return s.AuditLogEntry(
        id=row.id,
        action=row.action,
        resource_type=row.resource_type,
        resource_id=row.resource_id,
        actor_id=row.actor_user_id,
        credential_id=row.credential_id,
        credential_kind=row.credential_kind,
        request_id=row.request_id,
        client_address=row.client_address,
        created_at=row.created_at,
    )


async def provide_audit_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> AuditService:
    return AuditService(db, principal)
