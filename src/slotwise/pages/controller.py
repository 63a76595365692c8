"""The invitee pages: `GET {bookingUrl}` books, `GET /my/{id}` manages a booking, `GET /ok/{id}`
confirms a double opt-in booking.

Deep-link parameters that do not parse (an unknown zone, a month like 2026-13) are ignored
rather than refused: the invitee still gets a working page.
"""

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.static_files import create_static_files_router

from slotwise.companies.look import DEFAULT_BRAND, UNDRESSED, Brand
from slotwise.kit.errors import Gone, NotFound
from slotwise.kit.slugs import is_valid
from slotwise.links.service import LINK_PATH
from slotwise.pages.i18n import DEFAULT_LANGUAGE, pick_language
from slotwise.pages.render import ASSETS_DIR, ASSETS_PATH, page
from slotwise.pages.views import (
    PageQuery,
    booking_context,
    connect_context,
    decide_context,
    gone_context,
    link_context,
    manage_context,
    not_found_brand,
    opt_in_context,
    personal_context,
    stored_logo,
)
from slotwise.public.links import OneTimeLinkService, provide_link_service
from slotwise.public.service import PublicBookingService, provide_public_service

Param = Annotated[str | None, QueryParameter(max_length=200)]
EMBED_SCRIPT = (ASSETS_DIR / "embed.js").read_bytes()


class BookingPageController(Controller):
    dependencies = {
        "public": Provide(provide_public_service),
        "links": Provide(provide_link_service),
    }
    include_in_schema = False

    @get("/{user_slug:str}/{meeting_type_slug:str}", exclude_from_auth=True)
    async def booking_page(
        self,
        *,
        request: Request[Any, Any, Any],
        user_slug: FromPath[str],
        meeting_type_slug: FromPath[str],
        public: NamedDependency[PublicBookingService],
        timezone: Param = None,
        lang: Param = None,
        date: Param = None,
        month: Param = None,
        time_format: Annotated[str | None, QueryParameter(name="timeFormat", max_length=10)] = None,
        name: Param = None,
        email: Param = None,
        embed: Param = None,
        reschedule: Param = None,
    ) -> Response[str]:
        """The booking page of a booking URL (HTML); `reschedule` moves a booking instead."""
        if not (is_valid(user_slug) and is_valid(meeting_type_slug)):
            raise NotFound()  # not a booking URL: the API's JSON 404
        languages = (lang, request.headers.get("accept-language"))
        query = PageQuery(
            timezone, date, month, time_format, name, email, embed == "1", _uuid(reschedule)
        )
        try:
            found = await booking_context(public, user_slug, meeting_type_slug, query, languages)
        except NotFound:
            return _not_found(languages, await not_found_brand(public, user_slug))
        return page("booking.html", language=found.language, brand=found.brand, **found.context)

    @get(f"{LINK_PATH}/{{token:str}}", exclude_from_auth=True)
    async def one_time_link_page(
        self,
        *,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        links: NamedDependency[OneTimeLinkService],
        timezone: Param = None,
        lang: Param = None,
        date: Param = None,
        month: Param = None,
        time_format: Annotated[str | None, QueryParameter(name="timeFormat", max_length=10)] = None,
        name: Param = None,
        email: Param = None,
    ) -> Response[str]:
        """The booking page of a one-time link (HTML): its meeting type's page, which books
        once; a used or expired link gets a page saying so (410)."""
        languages = (lang, request.headers.get("accept-language"))
        query = PageQuery(timezone, date, month, time_format, name, email)
        try:
            found = await link_context(links, token, query, languages)
        except NotFound:
            return _not_found(languages, DEFAULT_BRAND)
        except Gone as error:
            gone = await gone_context(links, token, error, languages)
            return page(
                "link_gone.html",
                language=gone.language,
                brand=gone.brand,
                status_code=410,
                **gone.context,
            )
        return page("booking.html", language=found.language, brand=found.brand, **found.context)

    @get("/{user_slug:str}", exclude_from_auth=True)
    async def personal_page(
        self,
        request: Request[Any, Any, Any],
        user_slug: FromPath[str],
        public: NamedDependency[PublicBookingService],
        lang: Param = None,
    ) -> Response[str]:
        """A host's personal page (HTML): their bookable meeting types."""
        if not is_valid(user_slug):
            raise NotFound()  # not a user slug: the API's JSON 404
        languages = (lang, request.headers.get("accept-language"))
        try:
            found = await personal_context(public, user_slug, languages)
        except NotFound:
            return _not_found(languages, DEFAULT_BRAND)
        return page("personal.html", language=found.language, brand=found.brand, **found.context)

    @get("/brand/{company_id:uuid}/logo", exclude_from_auth=True)
    async def company_logo(
        self, company_id: FromPath[uuid.UUID], public: NamedDependency[PublicBookingService]
    ) -> Response[bytes]:
        """A company's uploaded logo; its URL carries the image's version, so it is cached."""
        content, kind = await stored_logo(public, company_id)
        return Response(
            content,
            media_type=kind,
            headers={
                "Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'",
            },
        )

    @get("/rq/{appointment_id:uuid}", exclude_from_auth=True)
    async def decide_page(
        self,
        request: Request[Any, Any, Any],
        appointment_id: FromPath[uuid.UUID],
        lang: Param = None,
        action: Param = None,
    ) -> Response[str]:
        """The host's Confirm / Decline page for a booking request (HTML); the token is in the
        link's fragment, and only the page's buttons change anything."""
        language = pick_language(lang, request.headers.get("accept-language"), "en")
        context = decide_context(appointment_id, language, action)
        return page("decide.html", language=language, brand=UNDRESSED, **context)

    @get("/cc", exclude_from_auth=True)
    async def calendar_connect_page(
        self, request: Request[Any, Any, Any], provider: Param = None, lang: Param = None
    ) -> Response[str]:
        """The hosted form that connects a host's calendar (HTML), opened by the connect link
        of `GET /v4/calendar-connections/auth/{provider}/url`; its grant is the fragment."""
        language = pick_language(lang, request.headers.get("accept-language"), "en")
        context = connect_context(provider, language)
        return page("connect.html", language=language, brand=UNDRESSED, **context)

    @get("/ok/{appointment_id:uuid}", exclude_from_auth=True)
    async def opt_in_page(
        self,
        request: Request[Any, Any, Any],
        appointment_id: FromPath[uuid.UUID],
        lang: Param = None,
    ) -> Response[str]:
        """The attendee's page to confirm a double opt-in booking (HTML); the token is in the
        link's fragment, and only the page's button confirms. Served unbranded like the manage
        page: the booking brings its company's look."""
        language = pick_language(lang, request.headers.get("accept-language"), "en")
        return page(
            "optin.html",
            language=language,
            brand=UNDRESSED,
            **opt_in_context(appointment_id, language),
        )

    @get("/my/{appointment_id:uuid}", exclude_from_auth=True)
    async def manage_page(
        self,
        request: Request[Any, Any, Any],
        appointment_id: FromPath[uuid.UUID],
        lang: Param = None,
    ) -> Response[str]:
        """The manage page of a booking (HTML); the secret is in the link's fragment. It is
        served unbranded, with no footer: the booking brings its company's look."""
        language = pick_language(lang, request.headers.get("accept-language"), "en")
        return page(
            "manage.html",
            language=language,
            brand=UNDRESSED,
            **manage_context(appointment_id, language),
        )


@get(
    "/embed.js",
    exclude_from_auth=True,
    include_in_schema=False,
    media_type="text/javascript; charset=utf-8",
    cache_control=CacheControlHeader(max_age=3600, public=True),
)
async def embed_script() -> bytes:
    """The one-tag embed for partner pages (see the file's header)."""
    return EMBED_SCRIPT


def _not_found(languages: tuple[str | None, str | None], brand: Brand) -> Response[str]:
    """The 404 page, in the company's look and language when the host is known."""
    language = pick_language(*languages, brand.language or DEFAULT_LANGUAGE)
    return page("not_found.html", language=language, brand=brand, status_code=404)


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


assets = create_static_files_router(
    path=ASSETS_PATH,
    directories=[ASSETS_DIR],
    name="page-assets",
    include_in_schema=False,
    opt={"exclude_from_auth": True},
    cache_control=None,
)
