"""Request bodies are JSON: anything else sent to a handler that reads a body is a 415."""

from typing import Any

from litestar import Request

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
        return
    if media_type == "multipart/form-data" and handler.opt.get(MULTIPART_OPT):
        return
    raise UnsupportedMediaType("Content-Type must be application/json")
