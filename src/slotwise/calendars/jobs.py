"""Calendar jobs: `calendars.sync` copies one connection's busy time in, `calendars.sweep`
wakes the connections due a sync, `calendars.push` writes one appointment out and
`calendars.relay` wakes due pushes (retries, lost wake-ups)."""

import uuid
from datetime import timedelta
from typing import Any

from slotwise.calendars import queue
from slotwise.calendars.push import Pusher
from slotwise.calendars.sync import Syncer, utc_now
from slotwise.calendars.wakeups import push_wakeup, sync_wakeup
from slotwise.db.tenancy import CompanyId
from slotwise.jobs import enqueue
from slotwise.settings import Settings

SWEEP = "calendars.sweep"
RELAY = "calendars.relay"
#: a relay's wake-up covers a push this long before the next relay wakes it again
WAKE_COVER = timedelta(seconds=30)
#: connections woken per sweep (the rest wait for the next one)
SWEEP_LIMIT = 500
#: an arq slot for one sync or push
TIMEOUT_SECONDS = 120


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    keyring = settings.keyring()
    private = settings.calendar_allow_private_networks
    ctx["calendar_syncer"] = Syncer(ctx["sessionmaker"], keyring, allow_private=private)
    ctx["calendar_pusher"] = Pusher(ctx["sessionmaker"], keyring, allow_private=private)


async def sync(ctx: dict[str, Any], company_id: str, connection_id: str) -> str:
    syncer: Syncer = ctx["calendar_syncer"]
    outcome = await syncer.sync(CompanyId(uuid.UUID(company_id)), uuid.UUID(connection_id))
    if outcome.skipped:
        return "skipped"
    return "error" if outcome.error else ("changed" if outcome.changed else "unchanged")


async def sweep(ctx: dict[str, Any]) -> int:
    """Wake a sync for every connection not synced within `SLOTWISE_CALENDAR_SYNC_SECONDS`."""
    settings: Settings = ctx["settings"]
    every = timedelta(seconds=settings.calendar_sync_seconds)
    async with ctx["sessionmaker"]() as session, session.begin():
        due = await queue.due_for_sync(session, utc_now(), every, SWEEP_LIMIT)
    for company_id, connection_id in due:
        await enqueue(ctx["redis"], sync_wakeup(company_id, connection_id))
    return len(due)


async def push(ctx: dict[str, Any], push_id: str) -> str | None:
    pusher: Pusher = ctx["calendar_pusher"]
    status = await pusher.push(uuid.UUID(push_id))
    return None if status is None else status.value


async def relay(ctx: dict[str, Any]) -> int:
    now = utc_now()
    async with ctx["sessionmaker"]() as session, session.begin():
        due = await queue.due_pushes(session, now, now + WAKE_COVER, 500)
    for row in due:
        await enqueue(ctx["redis"], push_wakeup(row.row_id, row.attempt, again=row.again))
    return len(due)
