"""The time before which every row's `updated_at` is final.

`updated_at` is the writing transaction's start time (`now()`), and transactions commit in
another order than they start: a row stamped 10:00:00 may become visible after one stamped
10:00:05. Rows stamped before the start of the oldest transaction still running in this
database can no longer change that way, so lists sorted by `updatedAt` show only those; the
rest follow on a later poll.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.kit import fields, updated_cursor
from slotwise.kit.errors import ValidationFailed

_OLDEST_RUNNING = text(
    "SELECT coalesce(min(xact_start), now()) FROM pg_stat_activity"
    " WHERE datname = current_database() AND xact_start IS NOT NULL"
)


async def settled_before(session: AsyncSession) -> datetime:
    found: datetime = (await session.execute(_OLDEST_RUNNING)).scalar_one()
    return found


@dataclass(frozen=True)
class UpdatedWindow:
    """A list sorted by `updatedAt`: rows changed at or after `since`, past the cursor
    `after`, and before `settled` (see above)."""

    settled: datetime
    since: datetime | None = None
    after: tuple[datetime, uuid.UUID] | None = None

    def where(self, model: Any) -> list[ColumnElement[bool]]:
        """The conditions on a model with `updated_at` and `id` columns."""
        found: list[ColumnElement[bool]] = [model.updated_at < self.settled]
        if self.since is not None:
            found.append(model.updated_at >= self.since)
        if self.after is not None:
            found.append(tuple_(model.updated_at, model.id) > tuple_(*self.after))
        return found


async def polling_window(
    session: AsyncSession, sort_by: str | None, since_text: str | None, cursor: str | None
) -> UpdatedWindow | None:
    """The window of a list sorted by `updatedAt` (None for any other sort, where `cursor` and
    `updatedSince` are a 400: they mean nothing there)."""
    since, errors = fields.instant(since_text, "updatedSince")
    if errors:
        raise ValidationFailed(errors=errors)
    if sort_by != "updatedAt":
        if cursor is not None or since is not None:
            name = "cursor" if cursor is not None else "updatedSince"
            raise ValidationFailed.field(name, "Only with sortBy=updatedAt")
        return None
    after = None if cursor is None else updated_cursor.decode(cursor)
    return UpdatedWindow(await settled_before(session), since, after)


def next_cursor(
    window: UpdatedWindow | None, rows: Sequence[Any], cursor: str | None
) -> str | None:
    """The cursor after the last row shown; the same one when none was (poll again later)."""
    if window is None:
        return None
    if rows:
        return updated_cursor.encode(rows[-1].updated_at, rows[-1].id)
    if cursor is not None:
        return cursor
    return updated_cursor.encode(window.since or updated_cursor.EPOCH, uuid.UUID(int=0))
