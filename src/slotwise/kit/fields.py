"""Field checks shared by every entry point (API bodies, query parameters, the CLI).

Each returns field errors instead of raising, so a caller can report every bad field at once.
One rule, one message: a zone or an email is judged the same wherever it arrives.
"""

import re

from slotwise.kit.errors import FieldError
from slotwise.kit.slugs import is_valid, slugify
from slotwise.kit.zones import is_zone

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
EMAIL_MESSAGE = "Invalid email format"
ZONE_MESSAGE = "Must be an IANA time zone name, e.g. Europe/Berlin"


def email(value: str, field: str = "email") -> list[FieldError]:
    return [] if EMAIL.match(value) else [FieldError(field, EMAIL_MESSAGE)]


def zone(value: str, field: str = "timezone") -> list[FieldError]:
    return [] if is_zone(value) else [FieldError(field, ZONE_MESSAGE)]


def name(value: str | None, field: str) -> list[FieldError]:
    if value is None or not value.strip():
        return [FieldError(field, "Must not be empty")]
    return []


def explicit_slug(value: str, field: str = "slug") -> tuple[str, list[FieldError]]:
    """Normalise a slug the caller chose ("John Doe" → "john-doe"); it must keep ≥ 5 characters."""
    normalised = slugify(value, pad="")
    if not is_valid(normalised):
        return normalised, [FieldError(field, "Must have at least 5 letters or digits")]
    return normalised, []
