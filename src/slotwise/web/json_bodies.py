"""Request bodies are JSON: anything else sent to a handler that reads a body is a 415, and a
JSON body must have the types its schema says (`0` is not a boolean, `"5"` not a number).

No text may hold a NUL character, in a body, a query or a path: PostgreSQL cannot store one,
so it is a 400 naming the field here rather than a failed write later.
"""

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from slotwise.kit.errors import UnsupportedMediaType, ValidationFailed

#: handlers that also take multipart bodies set `opt={"accept_multipart": True}`
MULTIPART_OPT = "accept_multipart"


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
    media_type = request.content_type[0]
    if not media_type:
        if request.headers.get("content-length", "0") in {"0", ""}:
            return
        raise UnsupportedMediaType("Content-Type must be application/json")
    if _is_json(media_type):
        await _check_types(request)
        return
    if media_type == "multipart/form-data" and handler.opt.get(MULTIPART_OPT):
        return
    raise UnsupportedMediaType("Content-Type must be application/json")


async def _check_types(request: Request[Any, Any, Any]) -> None:
    """Decode the body strictly against the handler's type. Litestar converts it leniently
    (it shares one conversion with query strings, where everything is text), which would let
    a body the document calls invalid through."""
    body = await request.body()
    if not body:
        return
    target = request.route_handler.parsed_fn_signature.parameters["data"].annotation
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return  # malformed JSON: Litestar's own decoding answers it
    if (field := _nul_field(value, "")) is not None:
        raise ValidationFailed.field(field or "body", NUL_MESSAGE)
    try:
        msgspec.convert(_whole_numbers(value), type=target, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationException(extra=[{"message": str(exc), "key": "body"}]) from exc


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


def _whole_numbers(value: Any) -> Any:
    """`30.0` is the integer 30 in JSON (and in JSON Schema); only a fraction makes a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value
