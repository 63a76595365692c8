"""Field checks shared by every entry point (API bodies, query parameters, the CLI).

Each returns field errors instead of raising, so a caller can report every bad field at once.
One rule, one message: a zone or an email is judged the same wherever it arrives.
"""

import re
from datetime import date, datetime
from itertools import permutations

from slotwise.kit.errors import FieldError
from slotwise.kit.slugs import is_valid
from slotwise.kit.zones import is_zone

#: `\x1c-\x1f\x85` are whitespace to Python but not to the ECMAScript regexes that read the
#: schema's copy of this pattern; naming them keeps both readings the same
EMAIL = re.compile(r"^[^@\s\x1c-\x1f\x85]{1,64}@[^@\s\x1c-\x1f\x85.]+(\.[^@\s\x1c-\x1f\x85.]+)+$")
EMAIL_MESSAGE = "Invalid email format"
ZONE_MESSAGE = "Must be an IANA time zone name, e.g. Europe/Berlin"
SLUG_RULE = "5 to 60 lower-case letters, digits and single hyphens"


def email(value: str, field: str = "email") -> list[FieldError]:
    return [] if EMAIL.match(value) else [FieldError(field, EMAIL_MESSAGE)]


def zone(value: str, field: str = "timezone") -> list[FieldError]:
    return [] if is_zone(value) else [FieldError(field, ZONE_MESSAGE)]


#: the characters JSON Schema's (ECMAScript's) \s stands for, spelled out: Python's \s and
#: str.strip() take a few more (\x1c-\x1f, \x85), so neither is used for names
BLANK = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
#: something besides blanks (a regex both dialects read alike)
NOT_BLANK = f"[^{BLANK}]"
_NOT_BLANK = re.compile(NOT_BLANK)


def trimmed(value: str) -> str:
    """`value` without leading and trailing blanks, as the name rule counts them."""
    return value.strip(BLANK)


def name(value: str | None, field: str) -> list[FieldError]:
    if value is None or not _NOT_BLANK.search(value):
        return [FieldError(field, "Must not be empty")]
    return []


def slug(value: str, field: str = "slug") -> list[FieldError]:
    """A slug the caller chose is used as sent, never rewritten: what they send is the URL."""
    return [] if is_valid(value) else [FieldError(field, SLUG_RULE)]


#: date formats as meetergo's older API spelled them
LEGACY_DATE_FORMATS = frozenset({"DD/MM/YYYY", "MM/DD/YYYY", "YYYY-MM-DD", "DD.MM.YYYY"})
#: a CLDR date pattern: one day, one month and one year field in any order, apart by
#: `/ . -` or spaces; also the API document's pattern, so it is written for both regex dialects
DATE_FORMAT_PATTERN = (
    "^(?:"
    + "|".join(
        r"[/.\- ]{1,2}".join(order)
        for order in permutations((r"d{1,2}", r"M{1,4}", r"(?:yyyy|yy)"))
    )
    + "|"
    + "|".join(legacy.replace(".", r"\.") for legacy in sorted(LEGACY_DATE_FORMATS))
    + ")$"
)
_DATE_FORMAT = re.compile(DATE_FORMAT_PATTERN)
TIME_FORMATS = frozenset({"12h", "24h", "HH:mm", "H:mm", "hh:mm a", "h:mm a"})
DATE_FORMAT_MESSAGE = (
    "Must be a date pattern of d or dd, M to MMMM and yy or yyyy, apart by / . - or a space"
    " (e.g. dd/MM/yyyy)"
)


def date_format(value: str, field: str = "dateFormat") -> list[FieldError]:
    """A CLDR date pattern with one day, one month and one year part (`dd/MM/yyyy`,
    `d. MMMM yyyy`, `yyyy-MM-dd`, …), or one of meetergo's older spellings."""
    return [] if _DATE_FORMAT.match(value) else [FieldError(field, DATE_FORMAT_MESSAGE)]


def time_format(value: str, field: str = "timeFormat") -> list[FieldError]:
    if value in TIME_FORMATS:
        return []
    return [FieldError(field, "Must be one of " + ", ".join(sorted(TIME_FORMATS)))]


def cldr_date_format(value: str | None) -> str | None:
    """A stored date format as a CLDR pattern (meetergo's older DD/MM/YYYY is dd/MM/yyyy)."""
    if value in LEGACY_DATE_FORMATS:
        return value.replace("DD", "dd").replace("YYYY", "yyyy")
    return value


#: the dates the API takes anywhere (a date, or a date-time by its own date): far enough from
#: the calendar's ends (years 1 and 9999) that a day or two either side, in any zone or UTC
#: offset, and any duration the API allows added to them stay representable
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
DAY_RANGE_MESSAGE = f"Must be between {FIRST_DAY} and {LAST_DAY}"


def day(value: date, field: str) -> list[FieldError]:
    """A date, or a date-time by its own date, inside the years the API takes."""
    own = value.date() if isinstance(value, datetime) else value
    return [] if FIRST_DAY <= own <= LAST_DAY else [FieldError(field, DAY_RANGE_MESSAGE)]


INSTANT_MESSAGE = "Must be an ISO 8601 date-time with a UTC offset, e.g. 2030-01-07T00:00:00Z"


def instant(value: str | None, field: str) -> tuple[datetime | None, list[FieldError]]:
    """An ISO 8601 date-time with an offset (`Z` or `+01:00`); a bare number is not one."""
    if value is None:
        return None, []
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None, [FieldError(field, INSTANT_MESSAGE)]
    if parsed.utcoffset() is None:
        return None, [FieldError(field, INSTANT_MESSAGE)]
    if errors := day(parsed, field):
        return None, errors
    return parsed, []


def instants(
    start: str | None, end: str | None, names: tuple[str, str] = ("start", "end")
) -> tuple[datetime | None, datetime | None, list[FieldError]]:
    """A list filter's two ends, each an `instant`; the errors of both at once."""
    first, first_errors = instant(start, names[0])
    last, last_errors = instant(end, names[1])
    return first, last, first_errors + last_errors
