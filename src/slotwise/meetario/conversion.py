"""/api/v1 bodies as /v4 inputs, checked by /v4's own rules; a failure names each field as the
Meetario client sent it."""

import re
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from slotwise.kit.errors import FieldError, ValidationFailed

T = TypeVar("T")

#: how /v4 field names become the sheet's: a table (prefixes carry over) or a function
Names = dict[str, str] | Callable[[str], str]

#: the location msgspec gives a failed field: `… - at `$.attendee.email``
_AT = re.compile(r" - at `\$\.?(?P<path>[^`]*)`$")


def converted(body: dict[str, Any], kind: type[T], names: Names) -> T:
    """`body` as the /v4 input `kind`, checked by /v4's own rules; a failure names the field
    as the Meetario client sent it."""
    try:
        return msgspec.convert(body, kind)
    except msgspec.ValidationError as exc:
        text = str(exc)
        found = _AT.search(text)
        path = found.group("path") if found else ""
        message = text[: found.start()] if found else text
        field = sheet_name(path, names) if path else "body"
        raise ValidationFailed(errors=[FieldError(field, message)]) from None


def sheet_name(field: str, names: Names) -> str:
    """The sheet's name of a /v4 field, or of the object holding it (`customFieldValues.topic`
    is `custom_field_values.topic`); or what a renaming function makes of it."""
    if callable(names):
        return names(field)
    if field in names:
        return names[field]
    for prefix, name in names.items():
        if field.startswith((f"{prefix}.", f"{prefix}[")):
            return name + field[len(prefix) :]
    return field


def renamed(exc: ValidationFailed, names: Names) -> ValidationFailed:
    """The same failure, naming the fields as the Meetario client sent them."""
    errors = [FieldError(sheet_name(error.field, names), error.message) for error in exc.errors]
    return ValidationFailed(exc.message, errors=errors)
