"""Calendar feeds: managed on /v4 by their user (or an admin), read by calendar apps through
the secret URL.

The URL is a capability: `/cal/<feed id><secret>.ics`, a 256-bit secret of which only the
SHA-256 digest is stored, compared in constant time. The feed holds the host's appointments
from 30 days back to a year ahead, each with the UID its invitations carry, so a subscribed
calendar and the mailed invitations describe one event. Its ETag is the digest of the body and
its Last-Modified the latest change, so an unchanged feed costs the poller a 304.
"""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.bookings import ics
from slotwise.bookings.repository import AttendeeRepository
from slotwise.db.tenancy import CompanyId
from slotwise.db.unscoped import find_calendar_feed
from slotwise.feeds import schemas as s
from slotwise.feeds.repository import CalendarFeedRepository, FeedAppointmentRepository
from slotwise.kit.errors import Forbidden, NotFound
from slotwise.models import Attendee, CalendarFeed, uuid7
from slotwise.settings import Settings
from slotwise.users.repository import UserRepository

FEED_PATH = "/cal"
PAST = timedelta(days=30)
AHEAD = timedelta(days=366)
_ID_LENGTH = 32  # the feed id's hex


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def parse_token(token: str) -> tuple[uuid.UUID, str] | None:
    """(feed id, secret) from the URL's last segment (`.ics` optional); None when malformed."""
    token = token.removesuffix(".ics")
    if len(token) != _ID_LENGTH + 43:
        return None
    try:
        feed_id = uuid.UUID(hex=token[:_ID_LENGTH])
    except ValueError:
        return None
    return feed_id, token[_ID_LENGTH:]


class CalendarFeedService:
    def __init__(self, session: AsyncSession, principal: Principal, settings: Settings) -> None:
        self.principal = principal
        self.settings = settings
        self.feeds = CalendarFeedRepository(session, principal.company_id)
        self.users = UserRepository(session, principal.company_id)
        self.session = session

    async def _check(self, user_id: uuid.UUID) -> None:
        """The user's own feed, or an admin's say; another company's user is 404."""
        await self.users.get_or_404(user_id)
        if user_id != self.principal.user_id and not self.principal.is_admin:
            raise Forbidden("Only admins can manage another user's calendar feed")

    async def get(self, user_id: uuid.UUID) -> s.CalendarFeed:
        await self._check(user_id)
        feed = await self.feeds.of_user(user_id)
        if feed is None:
            return s.CalendarFeed(active=False, created_at=None)
        return s.CalendarFeed(active=True, created_at=feed.created_at)

    async def create(
        self, user_id: uuid.UUID, *, must_exist: bool = False
    ) -> s.CalendarFeedCreated:
        """A new URL for the user's feed; the previous one, if any, stops at once."""
        await self._check(user_id)
        old = await self.feeds.of_user(user_id, for_update=True)
        if old is None and must_exist:
            raise NotFound("Calendar feed not found")
        if old is not None:
            await self.feeds.remove(old)
        secret = secrets.token_urlsafe(32)
        feed = self.feeds.add(CalendarFeed(id=uuid7(), user_id=user_id, digest=_digest(secret)))
        await self.session.flush()
        await self.session.refresh(feed)
        base = self.settings.public_url.rstrip("/")
        return s.CalendarFeedCreated(
            url=f"{base}{FEED_PATH}/{feed.id.hex}{secret}.ics", created_at=feed.created_at
        )

    async def revoke(self, user_id: uuid.UUID) -> None:
        await self._check(user_id)
        feed = await self.feeds.of_user(user_id)
        if feed is None:
            raise NotFound("Calendar feed not found")
        await self.feeds.remove(feed)


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: datetime


async def render_feed(session: AsyncSession, token: str) -> RenderedFeed | None:
    """The feed behind a secret URL; None for an unknown feed or a wrong secret alike."""
    parsed = parse_token(token)
    if parsed is None:
        return None
    feed_id, secret = parsed
    feed = await find_calendar_feed(session, feed_id)
    if feed is None or not hmac.compare_digest(_digest(secret), feed.digest):
        return None
    company = CompanyId(feed.company_id)
    host = await UserRepository(session, company).get(feed.user_id)
    if host is None:
        return None
    now = datetime.now(UTC)
    rows = await FeedAppointmentRepository(session, company).window(
        host.id, now - PAST, now + AHEAD
    )
    attendees = await AttendeeRepository(session, company).of_appointments(r.id for r in rows)
    by_appointment: dict[uuid.UUID, list[Attendee]] = {}
    for attendee in attendees:
        by_appointment.setdefault(attendee.appointment_id, []).append(attendee)
    events = [(row, by_appointment.get(row.id, [])) for row in rows]
    body = ics.feed(host.full_name, events, host)
    changed = max([feed.created_at, *(row.updated_at for row in rows)])
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    return RenderedFeed(body, etag, changed.replace(microsecond=0))


async def provide_calendar_feed_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> CalendarFeedService:
    return CalendarFeedService(db, principal, settings)


class FeedReader:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def render(self, token: str) -> RenderedFeed | None:
        return await render_feed(self.session, token)


async def provide_feed_reader(db: NamedDependency[AsyncSession]) -> FeedReader:
    return FeedReader(db)


def is_unchanged(
    feed: RenderedFeed, if_none_match: str | None, if_modified_since: str | None
) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when sent (weak comparison); otherwise
    If-Modified-Since."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or feed.etag in tags
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    return since.tzinfo is not None and feed.last_modified <= since
