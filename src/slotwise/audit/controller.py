"""GET /v4/audit-log: the company's record of changes (an extension; meetergo has none)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec.enums import OpenAPIFormat
from litestar.params import QueryParameter

from slotwise.audit import schemas as s
from slotwise.audit.actions import ResourceType
from slotwise.audit.service import AuditQuery, AuditService, provide_audit_service
from slotwise.auth.access import access
from slotwise.kit.pagination import DEFAULT_PAGE_SIZE, Page, PageSizeOrDefault


def _instant(name: str, description: str) -> QueryParameter:
    """An ISO 8601 date-time with an offset (read by the service, which names a bad one)."""
    return QueryParameter(
        name=name,
        description=f"{description}: ISO 8601 date-time with a UTC offset",
        format=OpenAPIFormat.DATE_TIME,
        max_length=40,
    )


class AuditLogController(Controller):
    path = "/v4/audit-log"
    tags = ["audit-log"]
    opt = access(company=True, admin=True, pat_scope="account")
    dependencies = {"audit": Provide(provide_audit_service)}

    @get("/")
    async def list_audit_log(
        self,
        *,
        audit: NamedDependency[AuditService],
        page: Page = 0,
        page_size: PageSizeOrDefault = DEFAULT_PAGE_SIZE,
        start: Annotated[str | None, _instant("from", "Entries at or after")] = None,
        end: Annotated[str | None, _instant("to", "Entries before")] = None,
        actor_id: Annotated[UUID | None, QueryParameter(name="actorId")] = None,
        resource_type: Annotated[ResourceType | None, QueryParameter(name="resourceType")] = None,
    ) -> s.AuditLog:
        """Changes made through the API, newest first (`page` is 0-based): who (credential,
        acting user), what (action, resource), when, the request id and the client address.
        `from` ≤ time < `to`. Owners, admins and platform keys only."""
        return await audit.page(
            AuditQuery(
                page=page,
                page_size=page_size,
                start=start,
                end=end,
                actor_id=actor_id,
                resource_type=resource_type,
            )
        )
