"""Booking URLs: resolve them to the host and meeting type they book, list their slots and book
them, all without credentials.

The page's meeting type is found across companies (`db.unscoped`); everything after that runs
inside its company, through the same slot and booking services (and guarantees: no double
booking, webhooks in the same transaction) as the authenticated API.
"""

import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec
from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.bookings import schemas as booking_schemas
from slotwise.bookings.services.booking import BookingService
from slotwise.bookings.services.invitee import InviteeService
from slotwise.bookings.services.opt_in import OptInService
from slotwise.companies.look import brand_of, with_personal_colors
from slotwise.companies.schemas import PageLook
from slotwise.db.tenancy import CompanyId
from slotwise.db.unscoped import PublicPage, find_public_host, find_public_meeting_type
from slotwise.kit.clientaddr import client_address
from slotwise.kit.errors import NotFound, ValidationFailed
from slotwise.meeting_types.service import booking_url
from slotwise.models import MeetingType, User
from slotwise.public import schemas as s
from slotwise.settings import Settings
from slotwise.slots.cache import SLOT_CACHE, SlotCache
from slotwise.slots.params import RawSlotParams, parse
from slotwise.slots.service import SlotService
from slotwise.users.repository import PersonalPageRepository
from slotwise.web.idempotency import Idempotency

NOT_FOUND = "Booking page not found"
#: idempotency keys sent from a booking page belong to that page and the client's address
_PAGE_CALLERS = uuid.UUID("5a7c0b1e-0d1f-4c55-9a8e-7b0f3c2d9e61")


def manage_url(public_url: str, appointment_id: uuid.UUID, secret: str) -> str:
    """The invitee's link to their booking; the secret rides in the fragment, which browsers
    never send, so it stays out of access logs and Referer headers. `my` is shorter than any
    user slug, so the path never shadows a booking URL."""
    return f"{public_url.rstrip('/')}/my/{appointment_id}#{secret}"


async def _look(session: AsyncSession, company_id: CompanyId, host_id: uuid.UUID) -> PageLook:
    """The look of a host's pages: company branding, or the host's own colours."""
    personal = await PersonalPageRepository(session, company_id).of_user(host_id)
    brand = await brand_of(session, company_id)
    return with_personal_colors(brand, personal).wire()


async def managed_booking(
    invitees: InviteeService, appointment_id: uuid.UUID, secret: str | None
) -> s.ManagedBooking:
    """The invitee's booking with the look of its host's pages."""
    viewed = await invitees.view(appointment_id, secret)
    look = await _look(invitees.session, viewed.company_id, viewed.host_user_id)
    return s.ManagedBooking(**msgspec.structs.asdict(viewed.booking), look=look)


async def opt_in_page(
    opt_ins: OptInService, appointment_id: uuid.UUID, token: str | None
) -> s.OptInPage:
    """The booking behind an attendee's confirm link with the look of its host's pages."""
    viewed = await opt_ins.view(appointment_id, token)
    look = await _look(opt_ins.session, viewed.company_id, viewed.host_user_id)
    return s.OptInPage(**msgspec.structs.asdict(viewed.booking), look=look)


def check_honeypot(data: s.PublicBookingCreate) -> None:
    if data.website:
        raise ValidationFailed.field("website", "Must be empty")


class BookingHooks(Protocol):
    """What a booking through a special page (a one-time link) does besides booking."""

    async def before(self) -> None: ...

    async def after(self, appointment_id: uuid.UUID) -> None: ...


class PublicBookingService:
    def __init__(self, session: AsyncSession, settings: Settings, cache: SlotCache) -> None:
        self.session = session
        self.settings = settings
        self.cache = cache

    async def find(self, user_slug: str, meeting_type_slug: str) -> PublicPage:
        """The enabled, live meeting type behind a booking URL, its host and availability, the
        company's branding and the host's personal page settings."""
        found = await find_public_meeting_type(self.session, user_slug, meeting_type_slug)
        if found is None:
            raise NotFound(NOT_FOUND)
        return found

    async def host(self, user_slug: str) -> User | None:
        """The user behind a booking URL's first part, whatever their meeting types."""
        return await find_public_host(self.session, user_slug)

    async def page(self, user_slug: str, meeting_type_slug: str) -> s.BookingPage:
        meeting_type, user, availability, _, _ = await self.find(user_slug, meeting_type_slug)
        return s.BookingPage(
            user_id=user.id,
            meeting_type_id=meeting_type.id,
            host_name=user.full_name,
            name=meeting_type.name,
            description=meeting_type.description,
            duration=meeting_type.duration,
            timezone=availability.timezone,
            booking_url=booking_url(self.settings.public_url, user.slug, meeting_type.slug),
        )

    async def slots(
        self,
        user_slug: str,
        meeting_type_slug: str,
        *,
        start: str | None,
        end: str | None,
        timezone: str | None,
    ) -> bytes:
        """The answer `GET /v4/booking-availability` gives for the page's meeting type."""
        meeting_type = (await self.find(user_slug, meeting_type_slug)).meeting_type
        return await self.slots_of(meeting_type, start=start, end=end, timezone=timezone)

    async def slots_of(
        self,
        meeting_type: MeetingType,
        *,
        start: str | None,
        end: str | None,
        timezone: str | None,
    ) -> bytes:
        """`slots` for a meeting type already found (the page renders its first month)."""
        request = parse(
            RawSlotParams(
                meeting_type_id=str(meeting_type.id),
                start=start,
                end=end,
                start_date=None,
                end_date=None,
                from_=None,
                to=None,
                timezone=timezone,
                host_ids=[],
                meeting_duration=None,
                existing_appointment_id=None,
                troubleshoot=False,
            )
        )
        company_id = CompanyId(meeting_type.company_id)
        service = SlotService(self.session, company_id, self.cache)
        return await service.booking_availability(request, datetime.now(UTC))

    async def book(
        self,
        user_slug: str,
        meeting_type_slug: str,
        data: s.PublicBookingCreate,
        request: Request[Any, Any, Any],
    ) -> Response[Any]:
        """Book a listed slot; a repeated `Idempotency-Key` from the same address replays."""
        check_honeypot(data)
        meeting_type = (await self.find(user_slug, meeting_type_slug)).meeting_type
        return await self.book_type(meeting_type, data, request, caller=str(meeting_type.id))

    async def book_type(
        self,
        meeting_type: MeetingType,
        data: s.PublicBookingCreate,
        request: Request[Any, Any, Any],
        *,
        caller: str,
        hooks: BookingHooks | None = None,
    ) -> Response[Any]:
        """`book` for a meeting type already found; idempotency keys belong to `caller` (the
        page) and the client's address. `hooks` run in the booking's transaction, inside the
        idempotent work: before the booking, and after it with its appointment's id."""
        company_id = CompanyId(meeting_type.company_id)
        address = client_address(request.scope, self.settings.trusted_proxies)
        caller_id = uuid.uuid5(_PAGE_CALLERS, f"{caller}|{address}")
        bookings = BookingService(self.session, company_id, self.settings.provisional_ttl_minutes)
        body = booking_schemas.BookingCreate(
            meeting_type_id=meeting_type.id,
            start=data.start,
            attendee=data.attendee,
            custom_field_values=data.custom_field_values,
        )

        async def work() -> s.PublicBookingCreated | booking_schemas.ProvisionalBookingCreated:
            if hooks is not None:
                await hooks.before()
            created = await bookings.create(body)
            if isinstance(created, booking_schemas.ProvisionalBookingCreated):
                if hooks is not None:
                    await hooks.after(created.provisional_booking_id)
                return created
            if hooks is not None:
                await hooks.after(created.appointment_id)
            link = manage_url(self.settings.public_url, created.appointment_id, created.secret)
            return s.PublicBookingCreated(appointment_id=created.appointment_id, manage_url=link)

        idempotency = Idempotency(self.session, company_id, caller_id, request)
        # the manage link carries the invitee's secret
        return await idempotency.run(work, status_code=201, secret=True)


async def provide_public_service(
    db: NamedDependency[AsyncSession], settings: NamedDependency[Settings], state: State
) -> PublicBookingService:
    return PublicBookingService(db, settings, SLOT_CACHE.of(state))
