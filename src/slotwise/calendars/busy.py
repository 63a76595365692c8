"""A host's busy time from connected calendars, as the slot engine reads it.

The copy in the database is what slots are computed from. When it is older than
`SLOTWISE_CALENDAR_STALE_SECONDS` (the worker's sync is behind, or the server failed), a slot
request asks for a sync and waits at most `SLOTWISE_CALENDAR_SYNC_WAIT_MS` for it, with its
database connection given back meanwhile; past that it answers from the copy and says so
(`calendarsStale`). A sync that does not finish in time goes on in the background, one per
connection, so the next request finds it done.
"""

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.calendars.repository import HostBusyRepository
from slotwise.calendars.sync import Outcome, Syncer
from slotwise.db.session import release_connection
from slotwise.db.tenancy import CompanyId
from slotwise.kit.state import StateKey
from slotwise.settings import Settings

BusySpan = tuple[datetime, datetime, uuid.UUID]


class Refresher:
    """Syncs asked for by slot requests of this process: one task per connection at a time."""

    def __init__(self, syncer: Syncer, wait_seconds: float, stale_after: timedelta) -> None:
        self.syncer = syncer
        self.wait_seconds = wait_seconds
        self.stale_after = stale_after
        self._running: dict[uuid.UUID, asyncio.Task[Outcome]] = {}

    def _task(self, company_id: CompanyId, connection_id: uuid.UUID) -> asyncio.Task[Outcome]:
        task = self._running.get(connection_id)
        if task is None:
            task = asyncio.create_task(self.syncer.sync(company_id, connection_id))
            self._running[connection_id] = task
            task.add_done_callback(lambda _: self._running.pop(connection_id, None))
        return task

    async def refresh(self, company_id: CompanyId, connection_ids: list[uuid.UUID]) -> bool:
        """Whether every connection synced successfully within the wait."""
        tasks = [self._task(company_id, cid) for cid in connection_ids]
        if self.wait_seconds <= 0:
            return False
        done, pending = await asyncio.wait(tasks, timeout=self.wait_seconds)
        if pending:
            return False
        return all(
            task.exception() is None and task.result().error is None and not task.result().skipped
            for task in done
        )


CALENDAR_REFRESHER = StateKey("calendar_refresher", Refresher)


@dataclass(frozen=True)
class HostBusy:
    spans: list[BusySpan]
    #: some connection's copy is older than the stale bound (or it never synced)
    stale: bool
    #: when the copy goes stale: an answer computed from it may be cached until then
    fresh_until: datetime | None


NO_CALENDARS = HostBusy([], False, None)
DEFAULT_STALE_AFTER = timedelta(minutes=5)


class CalendarBusySource:
    def __init__(
        self, session: AsyncSession, company_id: CompanyId, refresher: Refresher | None = None
    ) -> None:
        self.session = session
        self.company_id = company_id
        self.refresher = refresher
        self.repository = HostBusyRepository(session, company_id)

    async def of_host(self, host_id: uuid.UUID, start: datetime, end: datetime) -> list[BusySpan]:
        """The copied busy time overlapping `[start, end)`, as it is (booking re-checks)."""
        return (await self.repository.of_host(host_id, start, end)).spans

    async def fresh_of_host(
        self, host_id: uuid.UUID, start: datetime, end: datetime, now: datetime
    ) -> HostBusy:
        """The busy time, after a bounded sync of stale connections (slot answers only: the
        session must hold no writes, and no ORM rows that are used afterwards)."""
        found = await self.repository.of_host(host_id, start, end)
        if not found.synced:
            return NO_CALENDARS
        refresher = self.refresher
        stale_after = refresher.stale_after if refresher is not None else DEFAULT_STALE_AFTER
        stale = [
            cid
            for cid, synced in found.synced.items()
            if synced is None or synced <= now - stale_after
        ]
        if not stale:
            oldest = min(synced for synced in found.synced.values() if synced is not None)
            return HostBusy(found.spans, False, oldest + stale_after)
        refreshed = False
        if refresher is not None:
            await release_connection(self.session)
            refreshed = await refresher.refresh(self.company_id, stale)
            found = await self.repository.of_host(host_id, start, end)
        return HostBusy(found.spans, not refreshed, now + stale_after if refreshed else None)


def calendar_refresher(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> Refresher:
    syncer = Syncer(
        sessions, settings.keyring(), allow_private=settings.calendar_allow_private_networks
    )
    return Refresher(
        syncer,
        settings.calendar_sync_wait_ms / 1000,
        timedelta(seconds=settings.calendar_stale_seconds),
    )
