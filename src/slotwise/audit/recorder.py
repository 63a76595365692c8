"""Writes the audit entry of a successful writing request, just before its transaction commits
(a `UnitOfWork` hook): the entry and the change are committed together or not at all, and a
request that fails rolls both back."""

import logging
import uuid
from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.audit.actions import ACTIONS, ACTOR, COMPANY, Action
from slotwise.audit.repository import AuditRepository
from slotwise.auth.principal import Principal
from slotwise.db.session import WRITING_METHODS, changed_rows, inserted_rows
from slotwise.db.tenancy import CompanyId
from slotwise.kit.clientaddr import client_address
from slotwise.models import AuditEntry, TenantModel
from slotwise.settings import SETTINGS
from slotwise.web.idempotency import was_replayed
from slotwise.web.request_id import request_id_of

log = logging.getLogger("slotwise.audit")
ADDRESS_LENGTH = 64


async def record_audit_entry(request: Request[Any, Any, Any], session: AsyncSession) -> None:
    """Add the entry for this request, if it is a writing one that changed something."""
    if request.method not in WRITING_METHODS or was_replayed(request.scope):
        return
    action = ACTIONS.get(request.route_handler.handler_name)
    if action is None:  # pragma: no cover - tests/audit/test_actions.py covers every route
        return
    principal = request.scope.get("user")
    caller = principal if isinstance(principal, Principal) else None
    resource_id, company_id = _resource(action, request, session, caller)
    if company_id is None:
        log.error("audit: no company found for %s", action.name)
        return
    settings = SETTINGS.of(request.app.state)
    AuditRepository(session, company_id).add(
        AuditEntry(
            credential_id=caller.credential_id if caller else None,
            credential_kind=caller.kind.value if caller else action.link or "public",
            actor_user_id=caller.user_id if caller else None,
            action=action.name,
            resource_type=action.resource_type,
            resource_id=resource_id,
            request_id=request_id_of(request.scope),
            client_address=client_address(request.scope, settings.trusted_proxies)[:ADDRESS_LENGTH],
        )
    )


def _resource(
    action: Action, request: Request[Any, Any, Any], session: AsyncSession, caller: Principal | None
) -> tuple[uuid.UUID | None, CompanyId | None]:
    """The resource's id and the company whose log gets the entry: the caller's, or for a
    public link the company of the row it changed."""
    company = caller.company_id if caller else None
    found: TenantModel | None = None
    resource_id: uuid.UUID | None
    if action.id_from == COMPANY:
        return company, company
    if action.id_from == ACTOR:
        return (caller.user_id if caller else None), company
    if isinstance(action.id_from, str):
        value = request.path_params.get(action.id_from)
        if isinstance(value, uuid.UUID):
            resource_id, found = value, _loaded(session, value)
        else:  # /api/v1 names rows by integer or prefixed id: the row the request changed
            found = _referenced(session, str(value))
            if found is None and action.by_ref is not None:
                found = _loaded_of(session, action.by_ref)
            resource_id = found.id if found is not None else None
    else:
        rows = [*inserted_rows(session), *changed_rows(session)]
        found = next((row for row in rows if isinstance(row, action.id_from)), None)
        resource_id = found.id if isinstance(found, TenantModel) else None
    if company is None and found is not None:
        company = CompanyId(found.company_id)
    return resource_id, company


def _referenced(session: AsyncSession, ref: str) -> TenantModel | None:
    """The changed row an /api/v1 path names: by its integer `number`, its prefixed id
    (`evt_<hex>`) or its UUID."""
    for row in changed_rows(session):
        if not isinstance(row, TenantModel):
            continue
        number = getattr(row, "number", None)
        if ref in (str(number), str(row.id)) or (ref.partition("_")[2] == row.id.hex):
            return row
    return None


def _loaded_of(session: AsyncSession, model: type[TenantModel]) -> TenantModel | None:
    """The request's one row of `model` (changed, else merely read), when it holds just one:
    a change that touched only rows the path's row refers to (an event type's schedule)."""
    changed = [row for row in changed_rows(session) if isinstance(row, model)]
    held = [row for row in session.identity_map.values() if isinstance(row, model)]
    rows = {row.id: row for row in changed or held}
    return next(iter(rows.values())) if len(rows) == 1 else None


def _loaded(session: AsyncSession, resource_id: uuid.UUID | None) -> TenantModel | None:
    """The request's row with that id, as the session holds it (a public link's service read
    it to check the link's secret)."""
    if resource_id is None:
        return None
    for row in [*session.identity_map.values(), *changed_rows(session)]:
        if isinstance(row, TenantModel) and row.id == resource_id:
            return row
    return None
