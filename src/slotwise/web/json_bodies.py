"""Request bodies are JSON: anything else sent to a handler that reads a body is a 415, and a
JSON body must have the types its schema says (`0` is not a boolean, `"5"` not a number)."""

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from slotwise.kit.errors import UnsupportedMediaType

#: handlers that also take multipart bodies set `opt={"accept_multipart": True}`
MULTIPART_OPT = "accept_multipart"


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def require_json(request: Request[Any, Any, Any]) -> None:
    """`before_request` hook: refuse non-JSON bodies before they are parsed."""
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
        msgspec.json.decode(body, type=target, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationException(extra=[{"message": str(exc), "key": "body"}]) from exc
    except msgspec.DecodeError:
        return  # malformed JSON: Litestar's own decoding answers it
