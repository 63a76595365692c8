"""What the booking page shows: its rows and the first month of slots, turned into the
template's context and the page data the script reads (no second round trip to start)."""

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from slotwise.companies.look import (
    DEFAULT_BRAND,
    Brand,
    brand_from,
    brand_of,
    with_personal_colors,
)
from slotwise.companies.repository import BrandingRepository
from slotwise.db.tenancy import CompanyId
from slotwise.db.unscoped import PublicPage
from slotwise.kit.errors import Gone, NotFound
from slotwise.kit.fields import cldr_date_format
from slotwise.kit.zones import is_zone
from slotwise.links.service import LinkUsed
from slotwise.meeting_types.repository import MeetingTypeRepository
from slotwise.models import MeetingType, PersonalPage
from slotwise.pages.i18n import DEFAULT_LANGUAGE, pick_language, translator
from slotwise.public.links import OneTimeLinkService
from slotwise.public.service import PublicBookingService
from slotwise.users.repository import PersonalPageRepository

CHANNEL_LABELS = {
    "local": "In person",
    "local-attendee": "At your place",
    "phone": "Phone call (the host calls you)",
    "phone-incoming": "Phone call (you call the host)",
    "custom": "Online meeting",
}
#: every other channel is a video call (zoom, google, teams, whereby…)
VIDEO = "Video call"

#: strings the script shows, translated with the page
SCRIPT_STRINGS = (
    "Previous month",
    "Next month",
    "Available",
    "No times left on this day.",
    "No times in this month.",
    "Times on {date}",
    "{count} seats left",
    "1 seat left",
    "Confirm booking",
    "Booking…",
    "You are booked",
    "Requested: waiting for the host to confirm",
    "The host will confirm your booking by email.",
    "Almost done: please confirm your booking",
    "We have sent you an email. Your booking counts once you confirm it with the link in it;"
    " until then the time is held for you.",
    "This time is no longer available. Please pick another one.",
    "Something went wrong. Please try again.",
    "Required",
    "Enter a valid email address",
    "Please check this field",
    "Add to calendar",
    "Download calendar file (.ics)",
    "Google Calendar",
    "Manage or cancel your booking",
    "Times are shown in {zone}.",
    "Loading times…",
    "Your booking has been moved",
    "Confirm new time",
    "This link has already been used.",
    "This link has expired.",
)
#: strings the manage page's script shows
MANAGE_STRINGS = (
    "This booking is no longer active.",
    "Your booking is cancelled.",
    "Something went wrong. Please try again.",
    "Scheduling by slotwise",
    "Privacy policy",
)


#: time formats that show a 12-hour clock (meetergo's 12h, or a CLDR pattern with a)
TWELVE_HOUR = frozenset({"12h", "hh:mm a", "h:mm a"})

#: strings the host's Confirm / Decline page's script shows
DECIDE_STRINGS = (
    "This request is no longer open.",
    "The booking is confirmed. The invitee gets a confirmation.",
    "The request is declined. The invitee is told.",
    "Something went wrong. Please try again.",
)


#: strings the attendee's confirm page's script shows (double opt-in)
OPT_IN_STRINGS = (
    "This link is no longer valid.",
    "The time is held for you until {time}.",
    "Your booking is confirmed. You will get an email with the details.",
    "Thank you. {name} will confirm your booking; you will get another email then.",
    "The time is no longer held for you. Please book again.",
    "Something went wrong. Please try again.",
    "Scheduling by slotwise",
    "Privacy policy",
)


CONNECT_STRINGS = (
    "This link is no longer valid.",
    "Connecting…",
    "Your calendar is connected.",
    "Something went wrong. Please try again.",
)
#: where the connect form points a provider's users to start
CONNECT_DEFAULT_URLS = {"icloud": "https://caldav.icloud.com/"}


@dataclass(frozen=True)
class PageQuery:
    """The deep-link parameters of a booking URL."""

    timezone: str | None = None
    date: str | None = None
    month: str | None = None
    time_format: str | None = None
    name: str | None = None
    email: str | None = None
    embed: bool = False
    #: the appointment a manage link moves (its secret stays in the fragment)
    reschedule: uuid.UUID | None = None


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def _month(query: PageQuery, zone: str) -> date:
    """The first day of the month to open: `month`, else `date`'s, else this month."""
    if query.month and len(query.month) == 7:
        picked = _day(f"{query.month}-01")
        if picked is not None:
            return picked
    day = _day(query.date) or datetime.now(ZoneInfo(zone)).date()
    return day.replace(day=1)


def _json(value: Any) -> str:
    """JSON safe to place inside a `<script type="application/json">` element."""
    text = msgspec.json.encode(value).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class Rendered:
    """What a page handler renders: the language chosen, the brand, the template context."""

    language: str
    brand: Brand
    context: dict[str, Any]


async def booking_context(
    public: PublicBookingService,
    user_slug: str,
    meeting_type_slug: str,
    query: PageQuery,
    languages: tuple[str | None, str | None],
) -> Rendered:
    """The booking page; `languages` is (`lang` of the link, the browser's Accept-Language)."""
    found = await public.find(user_slug, meeting_type_slug)
    base = f"/v4/public/booking-page/{user_slug}/{meeting_type_slug}"
    return await page_context(public, found, base, query, languages)


async def link_context(
    links: OneTimeLinkService,
    token: str,
    query: PageQuery,
    languages: tuple[str | None, str | None],
) -> Rendered:
    """The booking page of a one-time link: its meeting type's page, booking through the
    link's own routes (NotFound, LinkUsed or LinkExpired when it books no more)."""
    found = await links.open(token)
    base = f"/v4/public/one-time-link/{token}"
    return await page_context(links.public, found.page, base, query, languages)


async def gone_context(
    links: OneTimeLinkService,
    token: str,
    error: Gone,
    languages: tuple[str | None, str | None],
) -> Rendered:
    """The page of a used or expired one-time link, in its company's look and language."""
    found = await links.found(token)
    brand = await brand_of(links.session, CompanyId(found.link.company_id))
    language = pick_language(*languages, brand.language or DEFAULT_LANGUAGE)
    used = isinstance(error, LinkUsed)
    return Rendered(language, brand, {"used": used})


async def page_context(
    public: PublicBookingService,
    found: PublicPage,
    base: str,
    query: PageQuery,
    languages: tuple[str | None, str | None],
) -> Rendered:
    """A meeting type's booking page whose script reads slots and books at `base`."""
    meeting_type, host, availability, branding, personal = found
    brand = with_personal_colors(brand_from(branding), personal)
    language = pick_language(*languages, brand.language or DEFAULT_LANGUAGE)
    zone = query.timezone if query.timezone and is_zone(query.timezone) else None
    shown_zone = zone or availability.timezone
    first = _month(query, shown_zone)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    slots = await public.slots_of(
        meeting_type,
        start=first.isoformat(),
        end=last.isoformat(),
        timezone=shown_zone,
    )
    time_format = query.time_format or host.time_format or "24h"
    translate = translator(language)
    data = {
        "slotsUrl": f"{base}/slots",
        "bookUrl": f"{base}/book",
        "zone": shown_zone,
        "zoneFromLink": zone is not None,
        "lang": language,
        "hour12": time_format in TWELVE_HOUR,
        "dateFormat": cldr_date_format(host.date_format),
        "month": first.isoformat()[:7],
        "date": query.date if _day(query.date) else None,
        "title": meeting_type.name,
        "duration": meeting_type.duration,
        "embed": query.embed,
        "reschedule": None if query.reschedule is None else str(query.reschedule),
        "redirect": _redirect(meeting_type.meeting_options),
        "strings": {text: translate(text) for text in SCRIPT_STRINGS},
        "slots": msgspec.json.decode(slots),
    }
    channel = CHANNEL_LABELS.get(meeting_type.channel, VIDEO)
    context = {
        "host_name": host.full_name,
        "title": meeting_type.name,
        "duration": meeting_type.duration,
        "description": meeting_type.description,
        "location": translate(channel),
        "phone_required": meeting_type.channel == "phone",
        "custom_fields": list(meeting_type.custom_fields),
        "prefill_name": query.name or "",
        "prefill_email": query.email or "",
        "embed": query.embed,
        "rescheduling": query.reschedule is not None,
        "page_data": _json(data),
    }
    return Rendered(language, brand, context)


def _redirect(options: dict[str, Any]) -> dict[str, Any] | None:
    """Where the page sends the invitee after booking, when the host asked for it."""
    if not options.get("enableRedirect") or not options.get("redirect"):
        return None
    return {"url": options["redirect"], "details": bool(options.get("passEventDetailsToRedirect"))}


async def not_found_brand(public: PublicBookingService, user_slug: str) -> Brand:
    """An unknown meeting type of a known host gets the host's company's 404 page."""
    host = await public.host(user_slug)
    return (
        DEFAULT_BRAND
        if host is None
        else await brand_of(public.session, CompanyId(host.company_id))
    )


def manage_context(appointment_id: uuid.UUID, language: str) -> dict[str, Any]:
    """The manage page knows only the id: the booking comes with the secret, in the browser."""
    translate = translator(language)
    api = f"/v4/public/appointment/{appointment_id}"
    data = {
        "appointmentId": str(appointment_id),
        "apiUrl": api,
        "cancelUrl": f"{api}/cancel",
        "lang": language,
        "strings": {text: translate(text) for text in MANAGE_STRINGS},
    }
    return {"page_data": _json(data)}


def decide_context(appointment_id: uuid.UUID, language: str, action: str | None) -> dict[str, Any]:
    """The host's decision page knows only the id: the request comes with the token."""
    translate = translator(language)
    data = {
        "apiUrl": f"/v4/public/booking-request/{appointment_id}",
        "action": "decline" if action == "decline" else "confirm",
        "lang": language,
        "strings": {text: translate(text) for text in DECIDE_STRINGS},
    }
    return {"page_data": _json(data)}


def opt_in_context(appointment_id: uuid.UUID, language: str) -> dict[str, Any]:
    """The attendee's confirm page knows only the id: the booking comes with the token (and
    the look of its company's pages)."""
    translate = translator(language)
    api = f"/v4/public/double-opt-in/{appointment_id}"
    data = {
        "apiUrl": api,
        "confirmUrl": f"{api}/confirm",
        "lang": language,
        "strings": {text: translate(text) for text in OPT_IN_STRINGS},
    }
    return {"page_data": _json(data)}


async def personal_context(
    public: PublicBookingService, user_slug: str, languages: tuple[str | None, str | None]
) -> Rendered:
    """meetergo's personal page: the host's bookable meeting types, each with its booking URL."""
    host = await public.host(user_slug)
    if host is None:
        raise NotFound()
    company_id = CompanyId(host.company_id)
    personal = await PersonalPageRepository(public.session, company_id).of_user(host.id)
    brand = with_personal_colors(await brand_of(public.session, company_id), personal)
    language = pick_language(*languages, brand.language or DEFAULT_LANGUAGE)
    types = [
        row
        for row in await MeetingTypeRepository(public.session, company_id).of_user(host.id)
        if row.enabled
    ]
    suffix = "" if language == DEFAULT_LANGUAGE else f"?lang={language}"
    listed = [
        {"name": row.name, "duration": row.duration, "url": f"/{host.slug}/{row.slug}{suffix}"}
        for row in _ordered(types, personal)
    ]
    context = {
        "host_name": host.full_name,
        "meeting_types": listed,
        "description": personal.description if personal else None,
    }
    return Rendered(language, brand, context)


def _ordered(types: list[MeetingType], page: PersonalPage | None) -> list[MeetingType]:
    """`meetingTypeOrder` first, in its order; the rest after, unless the host shows only those."""
    if page is None:
        return types
    order = {str(item): index for index, item in enumerate(page.meeting_type_order)}
    picked = sorted((row for row in types if str(row.id) in order), key=lambda r: order[str(r.id)])
    if not page.show_all_meeting_types:
        return picked
    return picked + [row for row in types if str(row.id) not in order]


async def stored_logo(public: PublicBookingService, company_id: uuid.UUID) -> tuple[bytes, str]:
    """A company's uploaded logo and its type; NotFound without one."""
    row = await BrandingRepository(public.session, CompanyId(company_id)).with_logo()
    if row is None or row.logo is None or row.logo_type is None:
        raise NotFound("Logo not found")
    return row.logo, row.logo_type


def connect_context(provider: str | None, language: str) -> dict[str, Any]:
    """The hosted connect form: a feed takes its address, the others a CalDAV login. The
    grant (in the link's fragment) decides which calendar of whom is connected."""
    translate = translator(language)
    data = {
        "apiUrl": "/v4/public/calendar-connection",
        "lang": language,
        "strings": {text: translate(text) for text in CONNECT_STRINGS},
    }
    return {
        "page_data": _json(data),
        "feed": provider == "ics",
        "default_url": CONNECT_DEFAULT_URLS.get(provider or "", ""),
    }
