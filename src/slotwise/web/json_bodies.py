"""Request bodies are JSON: anything else sent to a handler that reads a body is a 415, and a
JSON body must have the types its schema says (`0` is not a boolean, `"5"` not a number).

A handler with `request_class=FormRequest` also takes its body as a form (`web.form_bodies`),
checked the same way as the JSON document it stands for.

No text may hold a NUL character, in a body, a query or a path: PostgreSQL cannot store one,
so it is a 400 naming the field here rather than a failed write later. A body nesting deeper
than `web.json_depth.MAX_DEPTH` is a 400 before it is decoded, and every date or date-time in a
body must lie in the years the API accepts (`kit.fields.day`).
"""

from datetime import date
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from slotwise.kit import fields
from slotwise.kit.errors import FieldError, UnsupportedMediaType, ValidationFailed
from slotwise.web.form_bodies import FORM_TYPES, FormRequest, json_body
from slotwise.web.json_depth import DEPTH_MESSAGE, too_deep

JSON_ONLY = "Content-Type must be application/json"
JSON_OR_FORM = (
    "Content-Type must be application/json, multipart/form-data"
    " or application/x-www-form-urlencoded"
)


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


NUL = "\x00"
NUL_MESSAGE = "Must not contain NUL characters"


async def require_json(request: Request[Any, Any, Any]) -> None:
    """`before_request` hook: refuse NUL characters, and non-JSON bodies before they are
    parsed."""
    _refuse_nul_in_url(request)
    if request.method not in {"POST", "PUT", "PATCH"}:
        return
    handler = request.route_handler
    if "data" not in handler.parsed_fn_signature.parameters:
        return
    forms = isinstance(request, FormRequest)
    media_type = request.content_type[0]
    if not media_type:
        if request.headers.get("content-length", "0") in {"0", ""}:
            return
    elif _is_json(media_type) or (forms and media_type in FORM_TYPES):
        await _check_types(request)
        return
    raise UnsupportedMediaType(JSON_OR_FORM if forms else JSON_ONLY)


async def _check_types(request: Request[Any, Any, Any]) -> None:
    """Decode the body strictly against the handler's type. Litestar converts it leniently
    (it shares one conversion with query strings, where everything is text), which would let
    a body the document calls invalid through."""
    body = await json_body(request)
    if not body:
        return
    target = request.route_handler.parsed_fn_signature.parameters["data"].annotation
    if (member := too_deep(body)) is not None:
        raise ValidationFailed.field(member or "body", DEPTH_MESSAGE)
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return  # malformed JSON: Litestar's own decoding answers it
    if (field := _nul_field(value, "")) is not None:
        raise ValidationFailed.field(field or "body", NUL_MESSAGE)
    try:
        converted = msgspec.convert(_whole_numbers(value), type=target, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationException(extra=[{"message": str(exc), "key": "body"}]) from exc
    if errors := _days_out_of_range(converted, ""):
        raise ValidationFailed(errors=errors)


def _refuse_nul_in_url(request: Request[Any, Any, Any]) -> None:
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise ValidationFailed.field(name.replace(NUL, ""), NUL_MESSAGE)
    for name, value in request.path_params.items():
        if isinstance(value, str) and NUL in value:
            raise ValidationFailed.field(name, NUL_MESSAGE)


def _nul_field(value: Any, path: str) -> str | None:
    """Where in a decoded JSON value a NUL character is (`""` for the value itself)."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _nul_field(item, f"{path}[{index}]")) is not None:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if NUL in key:
                return where.replace(NUL, "")
            if (found := _nul_field(item, where)) is not None:
                return found
    return None


def _days_out_of_range(value: Any, path: str) -> list[FieldError]:
    """Every date and date-time of a decoded body outside the accepted years, by field."""
    if isinstance(value, date):  # a datetime is a date too
        return fields.day(value, path or "body")
    if isinstance(value, msgspec.Struct):
        return [
            error
            for field in msgspec.structs.fields(value)
            for error in _days_out_of_range(
                getattr(value, field.name),
                f"{path}.{field.encode_name}" if path else field.encode_name,
            )
        ]
    if isinstance(value, list | tuple):
        return [
            error
            for index, item in enumerate(value)
            for error in _days_out_of_range(item, f"{path}[{index}]")
        ]
    if isinstance(value, dict):
        return [
            error
            for key, item in value.items()
            for error in _days_out_of_range(item, f"{path}.{key}" if path else str(key))
        ]
    return []


def _whole_numbers(value: Any) -> Any:
    """`30.0` is the integer 30 in JSON (and in JSON Schema); only a fraction makes a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value
