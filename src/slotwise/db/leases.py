"""Outbox rows taken by one worker at a time: claiming, leases and the relay's due query.

An outbox row (a webhook delivery, a mail) waits with a due time, is claimed by the worker that
sends it with a lease (`locked_until`), and goes back to waiting when that worker dies and the
lease runs out. The relay finds due rows that no live worker holds and no recent wake-up covers,
marks them woken and returns them, skipping rows a concurrent relay has locked. The queries run
across companies: the rows are found by id or due time, and the company is taken off the row
(declared cross-tenant for the tenancy lint).
"""

import asyncio
import enum
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("slotwise.worker")

#: how long a stopping worker tries to give back a row it holds before leaving it to its lease
GIVE_BACK_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Due:
    row_id: uuid.UUID
    #: the number the next attempt will have
    attempt: int
    #: woken before (or left by a worker that died): an earlier wake-up for this attempt may
    #: be stuck with that worker, so this one must not be mistaken for a duplicate of it
    again: bool


@dataclass(frozen=True)
class Outbox:
    """A table of leased rows: `status`, `attempts`, `next_attempt_at`, `locked_until`."""

    model: Any
    waiting: enum.Enum
    working: enum.Enum

    def claimable(self, now: datetime) -> ColumnElement[bool]:
        """Due and not held by a live worker (a waiting row's wake-up lease does not matter)."""
        model = self.model
        return and_(
            model.next_attempt_at <= now,
            or_(
                model.status == self.waiting,
                and_(model.status == self.working, model.locked_until < now),
            ),
        )

    async def earliest_due(self, session: AsyncSession) -> datetime | None:
        """When the longest-waiting row fell due (its `next_attempt_at`; one index scan): how
        far the outbox lags behind is the time since."""
        model = self.model
        stmt = select(func.min(model.next_attempt_at)).where(model.status == self.waiting)
        earliest: datetime | None = (await session.execute(stmt)).scalar_one()
        return earliest

    async def claim(
        self,
        session: AsyncSession,
        row_id: uuid.UUID,
        now: datetime,
        lease_until: datetime,
        **values: Any,
    ) -> int | None:
        """Take the next attempt of a due row; its number, or None when someone else has it or
        it is not due. Exactly one caller wins an attempt."""
        model = self.model
        stmt = (
            update(model)
            .where(model.id == row_id, self.claimable(now))
            .values(
                status=self.working,
                attempts=model.attempts + 1,
                locked_until=lease_until,
                **values,
            )
            .returning(model.attempts)
            .execution_options(synchronize_session=False)
        )
        attempts: int | None = (await session.execute(stmt)).scalar_one_or_none()
        return attempts

    async def release(self, session: AsyncSession, row_id: uuid.UUID, attempt: int) -> bool:
        """Give back attempt `attempt` unfinished (its worker is stopping): the row waits again
        with the attempt not counted, due at once for any worker instead of after the lease.
        Nothing happens when the row is no longer that attempt's."""
        model = self.model
        stmt = (
            update(model)
            .where(model.id == row_id, model.status == self.working, model.attempts == attempt)
            .values(status=self.waiting, attempts=model.attempts - 1, locked_until=None)
            .returning(model.id)
            .execution_options(synchronize_session=False)
        )
        return (await session.execute(stmt)).first() is not None

    async def set_aside(
        self, session: AsyncSession, row_id: uuid.UUID, now: datetime, status: enum.Enum
    ) -> bool:
        """Give a due row a final `status` without an attempt (nobody may send it)."""
        model = self.model
        stmt = (
            update(model)
            .where(model.id == row_id, self.claimable(now))
            .values(status=status, locked_until=None)
            .returning(model.id)
            .execution_options(synchronize_session=False)
        )
        return (await session.execute(stmt)).first() is not None

    async def due(
        self, session: AsyncSession, now: datetime, wake_until: datetime, limit: int
    ) -> list[Due]:
        """Due rows no live worker holds and no recent wake-up covers, marked as woken until
        `wake_until`, taken round-robin across companies (earliest due first within each). Rows
        whose worker died (lease over) go back to waiting; concurrent relays skip each other's
        rows (FOR UPDATE SKIP LOCKED)."""
        model = self.model
        eligible = (
            model.next_attempt_at <= now,
            or_(
                and_(
                    model.status == self.waiting,
                    or_(model.locked_until.is_(None), model.locked_until < now),
                ),
                and_(model.status == self.working, model.locked_until < now),
            ),
        )
        # Fair across companies: each company's rows are ranked by due time and the pass takes
        # every company's first row, then every company's second, … so one company's backlog
        # cannot fill every pass. (Row locks cannot go with a window, so the ranked ids are
        # locked in an outer query that checks the conditions again.)
        ranked = (
            select(
                model.id,
                model.next_attempt_at,
                func.row_number()
                .over(partition_by=model.company_id, order_by=model.next_attempt_at)
                .label("rank"),
            )
            .where(*eligible)
            .subquery("ranked")
        )
        picked = select(ranked.c.id).order_by(ranked.c.rank, ranked.c.next_attempt_at).limit(limit)
        due = (
            select(model.id, model.locked_until)
            .where(model.id.in_(picked), *eligible)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        stmt = (
            update(model)
            .where(model.id == due.c.id)
            .values(status=self.waiting, locked_until=wake_until)
            .returning(model.id, model.attempts, due.c.locked_until)
            .execution_options(synchronize_session=False)
        )
        rows = (await session.execute(stmt)).all()
        return [Due(row[0], row[1] + 1, row[2] is not None) for row in rows]


async def give_back(
    sessions: async_sessionmaker[AsyncSession],
    release: Callable[[AsyncSession], Awaitable[bool]],
) -> bool:
    """Run `release` (an `Outbox.release`) in a short transaction of its own, for a job cut
    short by a stopping worker. Bounded and never raising: if the database does not answer,
    the row is taken over when its lease runs out, as for a worker that died."""
    try:
        async with asyncio.timeout(GIVE_BACK_TIMEOUT_SECONDS):
            async with sessions() as session, session.begin():
                return await release(session)
    except Exception:
        log.warning("could not give back an unfinished job; its lease will", exc_info=True)
        return False
