"""One-time booking links on the booking site: the page behind a link's token, its slots, and
the one booking it makes.

The link is found across companies by its token's digest (`db.unscoped`); from there it is the
booking page of its meeting type, booked through the same path (`PublicBookingService`). The
booking first marks the link used (`links.service.consume`) in its own transaction: when the
booking fails (the slot was taken), that rolls back with it and the link still books; of two
bookers at once, the second waits for the first to commit and gets 410.
"""

import uuid
from datetime import UTC, datetime
from typing import Any, NamedTuple

from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.unscoped import FoundLink, PublicPage, find_one_time_link
from slotwise.kit.errors import NotFound
from slotwise.links.service import check_open, consume, record_appointment
from slotwise.links.tokens import MAX_TOKEN_LENGTH, digest
from slotwise.models import OneTimeLink
from slotwise.public import schemas as s
from slotwise.public.service import PublicBookingService, check_honeypot, provide_public_service
from slotwise.settings import Settings

NOT_FOUND = "Booking link not found"


class OpenLink(NamedTuple):
    link: OneTimeLink
    page: PublicPage


class _UseLink:
    """Marks the link used before the booking and names the booking's appointment after it."""

    def __init__(self, session: AsyncSession, link: OneTimeLink) -> None:
        self.session = session
        self.link = link

    async def before(self) -> None:
        await consume(self.session, self.link)

    async def after(self, appointment_id: uuid.UUID) -> None:
        await record_appointment(self.session, self.link, appointment_id)


class OneTimeLinkService:
    def __init__(self, public: PublicBookingService) -> None:
        self.public = public
        self.session = public.session

    async def found(self, token: str) -> FoundLink:
        """The link behind `token`, usable or not; 404 when there is none."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise NotFound(NOT_FOUND)
        found = await find_one_time_link(self.session, digest(token))
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    async def open(self, token: str) -> OpenLink:
        """A link that still books, with its booking page: 410 once used or expired, 404 when
        its meeting type takes no bookings any more (disabled or deleted, like its page)."""
        found = await self.found(token)
        check_open(found.link, datetime.now(UTC))
        page = await self.public.find(found.host.slug, found.meeting_type.slug)
        return OpenLink(found.link, page)

    async def slots(
        self, token: str, *, start: str | None, end: str | None, timezone: str | None
    ) -> bytes:
        """The slots the link's page lists (the answer `GET /v4/booking-availability` gives)."""
        meeting_type = (await self.open(token)).page.meeting_type
        return await self.public.slots_of(meeting_type, start=start, end=end, timezone=timezone)

    async def book(
        self, token: str, data: s.PublicBookingCreate, request: Request[Any, Any, Any]
    ) -> Response[Any]:
        """Book a listed slot through the link, which then books no more (410); the booking
        answers as the meeting type's booking page would (409 when the slot is gone, which
        leaves the link usable)."""
        check_honeypot(data)
        found = await self.found(token)
        return await self.public.book_type(
            found.meeting_type,
            data,
            request,
            caller=f"1t:{found.link.id}",
            hooks=_UseLink(self.session, found.link),
        )


async def provide_link_service(
    db: NamedDependency[AsyncSession], settings: NamedDependency[Settings], state: State
) -> OneTimeLinkService:
    return OneTimeLinkService(await provide_public_service(db, settings, state))
