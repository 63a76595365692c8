"""Wire structs: camelCase on the wire, unknown input fields refused."""

from typing import Annotated, Any

import msgspec

#: a colour as `#RRGGBB`
Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9A-Fa-f]{6}$", examples=["#1D4ED8"])]
#: an https URL (a link shown to invitees, never fetched by their browsers on load)
HttpsUrl = Annotated[str, msgspec.Meta(pattern=r"^https://[^\s/]+\S*$", max_length=2000)]


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
