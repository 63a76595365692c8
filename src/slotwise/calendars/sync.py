"""Copy a connection's busy time in: claim, read the server, write the copy.

Three steps so that no database connection is held while a calendar server is asked: a short
transaction claims the connection (one sync at a time) and reads what is stored, the server is
read with no connection held, and a second short transaction writes the new copy, marks the
connection healthy and bumps the host's schedule version when the busy time changed (so cached
slot answers go stale). An unchanged CalDAV account costs one PROPFIND, an unchanged feed one
304. A failure keeps the last copy, marks the connection `error` with the reason and sends the
`credential_error` webhook once per failure (again only after a success).
"""

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.calendars.caldav import CalDavClient, FoundCalendar
from slotwise.calendars.expand import Span, busy_spans, merged
from slotwise.calendars.feed import read_feed
from slotwise.calendars.http import CalendarError, calendar_http
from slotwise.calendars.repository import (
    BusyRepository,
    CalendarRepository,
    ConnectionRepository,
    UserZoneRepository,
)
from slotwise.calendars.secrets import Login, open_login
from slotwise.db.tenancy import CompanyId
from slotwise.kit.sealing import Keyring, SealError
from slotwise.models import Calendar, CalendarConnection, CalendarProvider, ConnectionStatus
from slotwise.webhooks import events

log = logging.getLogger("slotwise.calendars")

#: busy time is copied for this window around now (recurring events expanded in it)
PAST = timedelta(days=1)
HORIZON = timedelta(days=366)
#: a copy older than this is rebuilt even if the server says nothing changed (the window moves)
REBUILD_AFTER = timedelta(hours=24)
#: how long one sync may hold its connection before another may take over
LEASE = timedelta(minutes=2)
#: after a failed sync, the connection is tried again no sooner than this
RETRY_AFTER = timedelta(seconds=60)
#: the calendar row that stands for an ICS feed
FEED_HREF = "feed"


@dataclass(frozen=True)
class StoredCalendar:
    id: uuid.UUID
    href: str
    is_selected: bool
    version: str | None
    last_modified: str | None
    refreshed_at: datetime | None


@dataclass
class Read:
    """What the server said: the calendars it lists (CalDAV) and the new copies of those that
    changed, by href, with their new change markers."""

    listing: list[FoundCalendar] | None = None
    busy: dict[str, list[Span]] = field(default_factory=dict)
    versions: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    #: another sync held the connection: nothing was done
    skipped: bool = False
    #: the host's busy time changed
    changed: bool = False
    #: how many calendars were read and parsed (0 for an unchanged account or feed)
    parsed: int = 0
    error: str | None = None


def utc_now() -> datetime:
    return datetime.now(UTC)


class Syncer:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        keyring: Keyring,
        *,
        allow_private: bool,
        timeout_seconds: float = 15.0,
        retry_after: timedelta = RETRY_AFTER,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.retry_after = retry_after
        self.sessions = sessions
        self.keyring = keyring
        self.allow_private = allow_private
        self.timeout_seconds = timeout_seconds
        self.clock = clock

    async def sync(self, company_id: CompanyId, connection_id: uuid.UUID) -> Outcome:
        now = self.clock()
        async with self.sessions() as session, session.begin():
            row = await ConnectionRepository(session, company_id).claim_sync(
                connection_id, now, now + LEASE
            )
            if row is None:
                return Outcome(skipped=True)
            stored = [
                _stored(c)
                for c in await CalendarRepository(session, company_id).of_connections([row.id])
            ]
            zone = await UserZoneRepository(session, company_id).zone(row.user_id)
        try:
            login = open_login(self.keyring, row.id, row.credentials)
            read = await read_server(
                row,
                login,
                stored,
                zone,
                now,
                allow_private=self.allow_private,
                timeout_seconds=self.timeout_seconds,
            )
        except (CalendarError, SealError) as exc:
            message = (
                str(exc) if isinstance(exc, CalendarError) else "Stored credentials unreadable"
            )
            await self._failed(company_id, connection_id, message)
            return Outcome(error=message)
        except Exception:  # a bug or an answer nobody foresaw: recorded, retried later
            log.exception("calendar connection %s: sync failed", connection_id)
            message = "The calendar could not be read"
            await self._failed(company_id, connection_id, message)
            return Outcome(error=message)
        changed = await self._apply(company_id, connection_id, read, now)
        return Outcome(changed=changed, parsed=len(read.busy))

    async def _apply(
        self, company_id: CompanyId, connection_id: uuid.UUID, read: Read, now: datetime
    ) -> bool:
        async with self.sessions() as session, session.begin():
            connections = ConnectionRepository(session, company_id)
            row = await connections.get(connection_id)
            if row is None:  # deleted meanwhile
                return False
            calendars = CalendarRepository(session, company_id)
            busy = BusyRepository(session, company_id)
            changed = False
            current = {c.href: c for c in await calendars.of_connections([row.id])}
            if read.listing is not None:
                changed |= await _follow_listing(calendars, busy, row, current, read.listing)
            for href, spans in read.busy.items():
                calendar = current.get(href)
                if calendar is None or not calendar.is_selected:
                    continue
                await busy.replace(calendar, row.user_id, spans)
                calendar.version, calendar.last_modified = read.versions[href]
                calendar.refreshed_at = now
                changed = True
            row.status = ConnectionStatus.CONNECTED
            row.error = None
            row.error_notified = False
            row.synced_at = now
            row.sync_locked_until = None
            if changed:
                await connections.bump_schedule(row.user_id)
            return changed

    async def _failed(self, company_id: CompanyId, connection_id: uuid.UUID, message: str) -> None:
        log.warning("calendar connection %s: %s", connection_id, message)
        async with self.sessions() as session, session.begin():
            row = await ConnectionRepository(session, company_id).get(connection_id)
            if row is None:
                return
            row.status = ConnectionStatus.ERROR
            row.error = message[:500]
            row.sync_locked_until = self.clock() + self.retry_after
            if not row.error_notified:
                row.error_notified = True
                await events.emit(
                    session,
                    company_id,
                    events.EventType.CREDENTIAL_ERROR,
                    {
                        "connectionId": str(row.id),
                        "userId": str(row.user_id),
                        "provider": row.provider.value,
                        "message": row.error,
                    },
                )


async def read_server(
    row: CalendarConnection,
    login: Login,
    stored: Sequence[StoredCalendar],
    zone: str,
    now: datetime,
    *,
    allow_private: bool,
    timeout_seconds: float,
) -> Read:
    """Ask the server what changed since `stored` (call it with no database connection held)."""
    start, end = now - PAST, now + HORIZON
    read = Read()
    async with calendar_http(
        allow_private=allow_private,
        username=login.username,
        password=login.password,
        timeout_seconds=timeout_seconds,
    ) as http:
        if row.provider is CalendarProvider.ICS:
            for calendar in stored:
                rebuild = _rebuild_due(calendar, now)
                answer = await read_feed(
                    http,
                    login.url,
                    None if rebuild else calendar.version,
                    None if rebuild else calendar.last_modified,
                )
                if answer.body is not None:
                    read.busy[calendar.href] = merged(busy_spans(answer.body, start, end, zone))
                    read.versions[calendar.href] = (answer.etag, answer.last_modified)
            return read
        client = CalDavClient(http)
        read.listing = await client.calendars(row.home_url or login.url)
        on_server = {found.href: found for found in read.listing}
        for calendar in stored:
            found = on_server.get(calendar.href)
            if found is None or not calendar.is_selected:
                continue
            unchanged = found.version is not None and found.version == calendar.version
            if unchanged and not _rebuild_due(calendar, now):
                continue
            spans = [
                span
                for ics in await client.events(calendar.href, start, end)
                for span in busy_spans(ics, start, end, zone)
            ]
            read.busy[calendar.href] = merged(spans)
            read.versions[calendar.href] = (found.version, None)
    return read


async def _follow_listing(
    calendars: CalendarRepository,
    busy: BusyRepository,
    row: CalendarConnection,
    current: dict[str, Calendar],
    listing: list[FoundCalendar],
) -> bool:
    """Stored calendars follow the server's list: new ones are added (not selected), gone ones
    removed with their busy copy. Whether busy time changed."""
    changed = False
    on_server = {found.href: found for found in listing}
    for href, calendar in list(current.items()):
        if href not in on_server:
            changed |= calendar.is_selected
            await busy.clear(calendar.id)
            await calendars.remove(calendar)
            del current[href]
    for found in listing:
        if found.href in current:
            current[found.href].name = found.name
            continue
        current[found.href] = calendars.add(
            Calendar(
                connection_id=row.id,
                href=found.href,
                name=found.name,
                read_only=found.read_only,
                is_selected=False,
                receives_bookings=False,
            )
        )
    return changed


def _stored(calendar: Calendar) -> StoredCalendar:
    return StoredCalendar(
        calendar.id,
        calendar.href,
        calendar.is_selected,
        calendar.version,
        calendar.last_modified,
        calendar.refreshed_at,
    )


def _rebuild_due(calendar: StoredCalendar, now: datetime) -> bool:
    return calendar.refreshed_at is None or calendar.refreshed_at < now - REBUILD_AFTER
