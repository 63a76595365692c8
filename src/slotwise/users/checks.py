"""Field checks shared by provisioning and profile updates; each returns field errors."""

import re

from slotwise.kit.errors import FieldError
from slotwise.kit.slugs import is_valid, slugify
from slotwise.kit.zones import is_zone

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


def email(value: str, field: str = "email") -> list[FieldError]:
    return [] if _EMAIL.match(value) else [FieldError(field, "Invalid email format")]


def zone(value: str, field: str = "timezone") -> list[FieldError]:
    return [] if is_zone(value) else [FieldError(field, "Unknown IANA time zone")]


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
