"""Booking mails as ready-to-send messages, built from plain data.

Nothing here reads a database or the network, so the outbox can compose a mail again after a
crash and tests can check every byte. Every user-supplied value that reaches a header is
flattened to one line first: a name can never add a header (no `Bcc:` smuggled in a name).
"""

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from slotwise.kit.zones import is_zone
from slotwise.pages.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translate, translator


class Kind(enum.StrEnum):
    """What happened and to whom the mail goes; the values are stable names for outbox rows."""

    # to an attendee
    CONFIRMED = "booking_confirmed"
    REQUESTED = "booking_requested"
    DECLINED = "booking_declined"
    CANCELLED = "booking_cancelled"
    RESCHEDULED = "booking_rescheduled"
    REMINDER = "booking_reminder"
    OPT_IN = "booking_opt_in"
    # to the host
    HOST_BOOKED = "host_booking_created"
    HOST_REQUEST = "host_confirmation_requested"
    HOST_CANCELLED = "host_booking_cancelled"
    HOST_RESCHEDULED = "host_booking_rescheduled"
    HOST_REMINDER = "host_booking_reminder"


HOST_KINDS = frozenset(
    {
        Kind.HOST_BOOKED,
        Kind.HOST_REQUEST,
        Kind.HOST_CANCELLED,
        Kind.HOST_RESCHEDULED,
        Kind.HOST_REMINDER,
    }
)
#: the booking is over for the attendee: no manage link any more
_ENDED = frozenset({Kind.DECLINED, Kind.CANCELLED})
_CANCELLED = frozenset({Kind.CANCELLED, Kind.HOST_CANCELLED})
_MOVED = frozenset({Kind.RESCHEDULED, Kind.HOST_RESCHEDULED})
_WITH_REASON = frozenset({Kind.DECLINED, Kind.CANCELLED, Kind.HOST_CANCELLED})
ICS_METHODS = frozenset({"REQUEST", "CANCEL"})


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Brand:
    #: the From display name and the mail's header, e.g. the company's display name
    name: str
    #: absolute https URL of the logo
    logo_url: str | None
    #: "#RRGGBB"; a neutral colour when None
    color: str | None
    #: "#RRGGBB" text on `color`; white when None
    text_color: str | None


@dataclass(frozen=True)
class Mail:
    kind: Kind
    language: str
    recipient: Person
    sender: Person
    reply_to: Person | None
    message_id: str
    brand: Brand
    title: str
    host_name: str
    start: datetime
    end: datetime
    timezone: str
    time_format: str = "24h"
    previous_start: datetime | None = None
    location: str | None = None
    notes: str | None = None
    reason: str | None = None
    attendees: tuple[Person, ...] = ()
    answers: tuple[tuple[str, str], ...] = ()
    manage_url: str | None = None
    appointment_url: str | None = None
    #: the host's Confirm link of a request, or the attendee's of a double opt-in booking
    confirm_url: str | None = None
    decline_url: str | None = None
    #: double opt-in: until when the attendee can confirm (the time is held until then)
    confirm_by: datetime | None = None
    ics: bytes | None = None
    ics_method: str | None = None


@dataclass(frozen=True)
class Wording:
    """English message ids of one kind; `{title}` is the meeting type, `{name}` the other side
    (the host for attendee mails, whoever booked for host mails)."""

    subject: str
    heading: str
    intro: str


WORDING: dict[Kind, Wording] = {
    Kind.CONFIRMED: Wording(
        "Confirmed: {title} with {name}",
        "Your booking is confirmed",
        "Your booking of {title} with {name} is confirmed.",
    ),
    Kind.REQUESTED: Wording(
        "Request received: {title} with {name}",
        "Your request has been received",
        "{name} has to confirm your request first; you will get another email then.",
    ),
    Kind.DECLINED: Wording(
        "Declined: {title} with {name}",
        "Your request was declined",
        "{name} has declined your request for {title}.",
    ),
    Kind.CANCELLED: Wording(
        "Cancelled: {title} with {name}",
        "Your booking has been cancelled",
        "Your booking of {title} with {name} has been cancelled.",
    ),
    Kind.RESCHEDULED: Wording(
        "New time: {title} with {name}",
        "Your booking has been moved",
        "Your booking of {title} with {name} has a new time.",
    ),
    Kind.REMINDER: Wording(
        "Reminder: {title} with {name}",
        "Your booking starts soon",
        "Your booking of {title} with {name} starts soon.",
    ),
    Kind.OPT_IN: Wording(
        "Please confirm your booking: {title} with {name}",
        "Please confirm your booking",
        "Confirm your booking of {title} with {name} with the link below. If you did not make"
        " this booking, ignore this email: nothing is booked without your confirmation.",
    ),
    Kind.HOST_BOOKED: Wording(
        "New booking: {title} with {name}",
        "New booking",
        "{name} has booked {title}.",
    ),
    Kind.HOST_REQUEST: Wording(
        "Please confirm: {title} with {name}",
        "New booking request",
        "{name} asks to book {title}. Nothing changes until you confirm or decline.",
    ),
    Kind.HOST_CANCELLED: Wording(
        "Cancelled: {title} with {name}",
        "A booking has been cancelled",
        "The booking of {title} with {name} has been cancelled.",
    ),
    Kind.HOST_RESCHEDULED: Wording(
        "New time: {title} with {name}",
        "A booking has been moved",
        "The booking of {title} with {name} has been moved.",
    ),
    Kind.HOST_REMINDER: Wording(
        "Reminder: {title} with {name}",
        "Upcoming appointment",
        "Your appointment {title} with {name} starts soon.",
    ),
}

ENV = Environment(
    loader=PackageLoader("slotwise.mails", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

NEUTRAL_COLOR = "#374151"
WHITE = "#ffffff"
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
#: C0 and C1 controls and the Unicode line and paragraph separators
_LINE_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
EN_DASH = "\u2013"
#: a host's time format (meetergo's 12h / 24h, or a CLDR pattern) as a Babel pattern
_TIME_PATTERNS = {
    "12h": "h:mm a",
    "24h": "HH:mm",
    **{pattern: pattern for pattern in ("HH:mm", "H:mm", "hh:mm a", "h:mm a")},
}
_DATE_PATTERNS = {"en": "EEEE, d MMMM y", "de": "EEEE, d. MMMM y"}


@dataclass(frozen=True)
class Row:
    """One fact of the mail (When, Where…); `url` makes the value a link in HTML."""

    label: str
    value: str
    url: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    url: str
    primary: bool = True


def one_line(text: str) -> str:
    """`text` safe for a header: control characters and line breaks become single spaces."""
    return " ".join(_LINE_BREAKERS.sub(" ", text).split())


def language_of(mail: Mail) -> str:
    return mail.language if mail.language in LANGUAGES else DEFAULT_LANGUAGE


def counterpart(mail: Mail, _: Translate) -> str:
    """The other side of the booking, as the recipient knows them."""
    if mail.kind not in HOST_KINDS:
        return mail.host_name
    names = [person.name or person.email for person in mail.attendees]
    return ", ".join(names) or _("Someone")


def subject(mail: Mail) -> str:
    """The translated subject, always one line whatever the title holds; logs show it too."""
    _ = translator(language_of(mail))
    text = _(WORDING[mail.kind].subject)
    return one_line(text.format(title=mail.title, name=counterpart(mail, _)))


def when(mail: Mail, start: datetime, end: datetime | None = None) -> str:
    """A time in the recipient's zone and language, e.g. "Monday, 14 December 2026, 09:00 -
    09:30 (Europe/Berlin)" (with an en dash); the end repeats the date only on another day."""
    zone_name = mail.timezone if is_zone(mail.timezone) else "UTC"
    zone = ZoneInfo(zone_name)
    language = language_of(mail)
    time_pattern = _TIME_PATTERNS.get(mail.time_format, _TIME_PATTERNS["24h"])

    def moment(value: datetime, *, with_date: bool = True) -> str:
        local = aware(value).astimezone(zone)
        clock = format_time(local.time(), time_pattern, locale=language)
        if not with_date:
            return clock
        return f"{format_date(local.date(), _DATE_PATTERNS[language], locale=language)}, {clock}"

    text = moment(start)
    if end is not None:
        same_day = aware(end).astimezone(zone).date() == aware(start).astimezone(zone).date()
        text += f" {EN_DASH} {moment(end, with_date=not same_day)}"
    return f"{text} ({zone_name})"


def aware(moment: datetime) -> datetime:
    """A naive time would silently be read in the server's zone: refuse it."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("mail times must be timezone-aware")
    return moment


def link(url: str | None, *, schemes: tuple[str, ...] = ("https://", "http://")) -> str | None:
    """Only web links become `href`s: never `javascript:` or other schemes."""
    return url if url and url.lower().startswith(schemes) else None


def rows(mail: Mail, _: Translate) -> list[Row]:
    """The facts of the booking, in reading order."""
    found = [Row(_("What"), mail.title)]
    if mail.kind in _MOVED:
        found.append(Row(_("New time"), when(mail, mail.start, mail.end)))
        if mail.previous_start is not None:
            found.append(Row(_("Previous time"), when(mail, mail.previous_start)))
    else:
        found.append(Row(_("When"), when(mail, mail.start, mail.end)))
    if mail.kind in HOST_KINDS:
        booked = "\n".join(f"{p.name} <{p.email}>" if p.name else p.email for p in mail.attendees)
        if booked:
            found.append(Row(_("Booked by"), booked))
    else:
        found.append(Row(_("With"), mail.host_name))
    if mail.location:
        found.append(Row(_("Where"), mail.location, link(mail.location, schemes=("https://",))))
    if mail.kind in HOST_KINDS:
        found += [Row(label, value) for label, value in mail.answers if value]
    if mail.notes:
        found.append(Row(_("Notes"), mail.notes))
    if mail.reason and mail.kind in _WITH_REASON:
        found.append(Row(_("Reason"), mail.reason))
    if mail.kind is Kind.OPT_IN and mail.confirm_by is not None:
        found.append(Row(_("Confirm by"), when(mail, mail.confirm_by)))
    return found


def buttons(mail: Mail, _: Translate) -> list[Button]:
    """What the recipient can do next; a button shows only when its link was given."""
    wanted: list[tuple[str, str | None, bool]] = []
    if mail.kind is Kind.HOST_REQUEST:
        wanted += [(_("Confirm"), mail.confirm_url, True), (_("Decline"), mail.decline_url, False)]
    if mail.kind is Kind.OPT_IN:
        # nothing to manage before the attendee confirms
        wanted.append((_("Confirm booking"), mail.confirm_url, True))
    elif mail.kind in HOST_KINDS:
        wanted.append((_("View appointment"), mail.appointment_url, not wanted))
    elif mail.kind not in _ENDED:
        wanted.append((_("Reschedule or cancel"), mail.manage_url, True))
    return [Button(label, href, primary) for label, url, primary in wanted if (href := link(url))]


def color(value: str | None, default: str) -> str:
    """Only a validated #RRGGBB reaches a style attribute, so no CSS can be injected."""
    return value if value and _HEX_COLOR.fullmatch(value) else default


def greeting(name: str, _: Translate) -> str:
    return _("Hello {name},").format(name=name) if name.strip() else _("Hello,")


def render(mail: Mail) -> tuple[str, str]:
    """The text and HTML bodies."""
    language = language_of(mail)
    _ = translator(language)
    wording = WORDING[mail.kind]
    context = {
        "_": _,
        "lang": language,
        "subject": subject(mail),
        "heading": _(wording.heading),
        "intro": _(wording.intro).format(title=mail.title, name=counterpart(mail, _)),
        "greeting": greeting(mail.recipient.name, _),
        "rows": rows(mail, _),
        "buttons": buttons(mail, _),
        "brand_name": mail.brand.name,
        "logo_url": link(mail.brand.logo_url, schemes=("https://",)),
        "color": color(mail.brand.color, NEUTRAL_COLOR),
        "text_color": color(mail.brand.text_color, WHITE),
    }
    text = ENV.get_template("mail.txt").render(context)
    html = ENV.get_template("mail.html").render(context)
    return text, html


def address(person: Person, display_name: str | None = None) -> Address:
    name = one_line(person.name if display_name is None else display_name)
    return Address(display_name=name, addr_spec=one_line(person.email))


def ics_method(mail: Mail) -> str:
    """The METHOD of the attached calendar, repeated on its Content-Type as clients expect."""
    method = (mail.ics_method or ("CANCEL" if mail.kind in _CANCELLED else "REQUEST")).upper()
    if method not in ICS_METHODS:
        raise ValueError(f"unsupported calendar method {method!r}")
    return method


def compose(mail: Mail) -> EmailMessage:
    """The mail as sent: text and HTML alternatives, plus `invite.ics` when there is one.

    Raises ValueError for an address that is not a valid mailbox or a naive datetime.
    """
    text, html = render(mail)
    message = EmailMessage()
    message["From"] = address(mail.sender, mail.brand.name)
    message["To"] = address(mail.recipient)
    if mail.reply_to is not None:
        message["Reply-To"] = address(mail.reply_to)
    message["Subject"] = subject(mail)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = one_line(mail.message_id)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    if mail.ics is not None:
        message.add_attachment(
            mail.ics,
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": ics_method(mail), "charset": "utf-8"},
        )
    # after the body: setting content moves Content-* headers into the first part
    message["Content-Language"] = language_of(mail)
    return message
