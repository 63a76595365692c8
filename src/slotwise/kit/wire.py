"""Wire structs: camelCase on the wire, unknown input fields refused."""

from typing import Annotated, Any

import msgspec

from slotwise.kit import slugs
from slotwise.kit.fields import EMAIL, NOT_BLANK

#: a colour as `#RRGGBB`
Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9A-Fa-f]{6}$", examples=["#1D4ED8"])]
#: an https URL (a link shown to invitees, never fetched by their browsers on load), in visible
#: ASCII as URLs are sent (other characters percent-encoded, hosts in punycode); the classes
#: are spelled out so that every regex dialect reads them alike
HTTPS_URL = r"^https://[!-.0-~]+[!-~]*$"
HttpsUrl = Annotated[str, msgspec.Meta(pattern=HTTPS_URL, max_length=2000)]
#: where the API document lists the zone names (`kit.zones`), shared by every zone field
ZONE_SCHEMA = "TimeZone"
#: an IANA time zone name; request schemas point at the document's list of them
TimeZone = Annotated[
    str,
    msgspec.Meta(
        max_length=64,
        examples=["Europe/Berlin"],
        extra_json_schema={"$ref": f"#/components/schemas/{ZONE_SCHEMA}"},
    ),
]
#: The next types' rules are checked after decoding (`kit.fields`), so that one answer names
#: every bad field; their schemas state the same rules.

#: a slug in a booking URL: 5 to 60 lower-case letters, digits and single hyphens
Slug = Annotated[
    str,
    msgspec.Meta(
        examples=["john-smith"],
        extra_json_schema={
            "minLength": slugs.MIN_LENGTH,
            "maxLength": slugs.MAX_LENGTH,
            "pattern": slugs.PATTERN,
        },
    ),
]
#: an email address
Email = Annotated[str, msgspec.Meta(max_length=320, extra_json_schema={"pattern": EMAIL.pattern})]
#: a person's name: something besides spaces
PersonName = Annotated[
    str,
    msgspec.Meta(max_length=100, extra_json_schema={"minLength": 1, "pattern": NOT_BLANK}),
]


#: reminder mails, in minutes before the start (up to 30 days; at most five)
Reminders = Annotated[
    list[Annotated[int, msgspec.Meta(ge=1, le=43200)]],
    msgspec.Meta(max_length=5, examples=[[1440, 60]]),
]


def reminder_times(minutes: list[int]) -> list[int]:
    """Each time once, the earliest reminder first."""
    return sorted(set(minutes), reverse=True)


class WireStruct(msgspec.Struct, rename="camel", kw_only=True):
    """Base of every response body."""


class InputStruct(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    """Base of every request body: a misspelled field is a 400 naming it, never dropped."""


def sent_fields(data: msgspec.Struct) -> dict[str, Any]:
    """The attributes a PATCH body set (`null` included), by attribute name."""
    return {
        name: value
        for name, value in msgspec.structs.asdict(data).items()
        if value is not msgspec.UNSET
    }
