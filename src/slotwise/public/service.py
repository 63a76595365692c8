"""Resolve booking URLs to the host and meeting type they book."""

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.unscoped import find_public_meeting_type
from slotwise.kit.errors import NotFound
from slotwise.meeting_types.service import booking_url
from slotwise.public import schemas as s
from slotwise.settings import Settings


class PublicBookingService:
    def __init__(self, session: AsyncSession, public_url: str) -> None:
        self.session = session
        self.public_url = public_url

    async def page(self, user_slug: str, meeting_type_slug: str) -> s.BookingPage:
        found = await find_public_meeting_type(self.session, user_slug, meeting_type_slug)
        if found is None:
            raise NotFound("Booking page not found")
        meeting_type, user, availability = found
        return s.BookingPage(
            user_id=user.id,
            meeting_type_id=meeting_type.id,
            host_name=user.full_name,
            name=meeting_type.name,
            description=meeting_type.description,
            duration=meeting_type.duration,
            timezone=availability.timezone,
            booking_url=booking_url(self.public_url, user.slug, meeting_type.slug),
        )


async def provide_public_service(
    db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> PublicBookingService:
    return PublicBookingService(db, settings.public_url)
