"""`GET /v4/changes`: the company's changes after a cursor, oldest first, each exactly once.

The cursor is the last `(transaction id, sequence number)` the poller saw, opaque on the wire.
Personal access tokens and OAuth grants see only the types their scopes may read.
"""

import base64
import binascii
from typing import cast

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.auth.scopes import grants
from slotwise.changes import schemas as s
from slotwise.changes.repository import ChangeLogRepository, ChangeRow
from slotwise.kit.errors import Forbidden, ValidationFailed

#: each type and the scope that reads it
READ_SCOPES: dict[str, str] = {
    "appointment": "events:read",
    "meetingType": "event_types:read",
    "user": "users:read",
    "webhook": "webhooks:read",
}
TYPES = tuple(READ_SCOPES)
_CURSOR_PREFIX = "c1:"


def encode_cursor(xid: int, seq: int) -> str:
    raw = f"{_CURSOR_PREFIX}{xid}:{seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int, int]:
    """`(xid, seq)` of a cursor (the start for None); a malformed one is a 400 naming `since`."""
    if cursor is None:
        return 0, 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, xid, seq = raw.split(":")
        if f"{prefix}:" != _CURSOR_PREFIX:
            raise ValueError(prefix)
        found = int(xid), int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed.field("since", "Not a cursor this API gave") from exc
    if not (0 <= found[0] < 2**63 and 0 <= found[1] < 2**63):
        raise ValidationFailed.field("since", "Not a cursor this API gave")
    return found


def parse_types(raw: str | None) -> list[str]:
    if raw is None or raw == "":
        return list(TYPES)
    asked = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [t for t in asked if t not in READ_SCOPES]
    if unknown or not asked:
        raise ValidationFailed.field("types", f"Each must be one of: {', '.join(TYPES)}")
    return list(dict.fromkeys(asked))


def _view(row: ChangeRow) -> s.Change:
    deleted = row.action == "deleted"
    return s.Change(
        type=cast(s.ChangeType, row.resource_type),  # the triggers write only these
        id=row.resource_id,
        action=cast(s.ChangeAction, row.action),
        changed_at=row.changed_at,
        deleted_at=row.changed_at if deleted else None,
    )


class ChangeService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.principal = principal
        self.log = ChangeLogRepository(session, principal.company_id)

    def _readable(self, types: list[str]) -> list[str]:
        if self.principal.is_platform_key:
            return types
        allowed = [t for t in types if grants(self.principal.scopes, READ_SCOPES[t])]
        if not allowed:
            raise Forbidden(f"Missing scope: {READ_SCOPES[types[0]]}")
        return allowed

    async def page(self, since: str | None, types: str | None, limit: int) -> s.ChangePage:
        xid, seq = decode_cursor(since)
        wanted = self._readable(parse_types(types))
        rows = await self.log.after(xid, seq, wanted, limit + 1)
        shown = rows[:limit]
        last = (shown[-1].xid, shown[-1].seq) if shown else (xid, seq)
        return s.ChangePage(
            changes=[_view(row) for row in shown],
            next_cursor=encode_cursor(*last),
            has_more=len(rows) > limit,
        )


async def provide_change_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> ChangeService:
    return ChangeService(db, principal)
