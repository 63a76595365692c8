"""Unauthenticated routes behind booking URLs."""

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.public import schemas as s
from slotwise.public.service import PublicBookingService
from slotwise.settings import Settings


async def provide_public_service(
    db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> PublicBookingService:
    return PublicBookingService(db, settings.public_url)


class PublicBookingPageController(Controller):
    path = "/v4/public/booking-page"
    tags = ["public"]
    dependencies = {"public": Provide(provide_public_service)}

    @get("/{user_slug:str}/{meeting_type_slug:str}", exclude_from_auth=True)
    async def get_booking_page(
        self,
        user_slug: FromPath[str],
        meeting_type_slug: FromPath[str],
        public: NamedDependency[PublicBookingService],
    ) -> s.BookingPage:
        """What a booking URL books: host, meeting type and its time zone (no credentials)."""
        return await public.page(user_slug, meeting_type_slug)
