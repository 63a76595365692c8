"""The error envelopes: every error response, whatever raised it, is rendered here, in
meetergo's envelope or, under `/api/v1`, in the Meetario sheet's."""

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import IntegrityError

from slotwise.db.outage import describe, is_database_unavailable
from slotwise.kit.errors import (
    CONSTRAINT_ERRORS,
    AppError,
    FieldError,
    ServiceUnavailable,
    constraint_name,
)
from slotwise.web.request_id import request_id_of

log = logging.getLogger("slotwise.kit.errors")

#: what a client is told to wait when the database is out of reach: the pool reconnects on
#: the next request, so a short wait is enough once the server is back
DATABASE_RETRY_AFTER_SECONDS = 2


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """The envelope: `{statusCode, message, error, code, errors?, requestId?}`."""

    statusCode: int  # noqa: N815 - wire name
    message: str
    error: str
    code: str
    errors: list[FieldError] | None = None
    requestId: str | None = None  # noqa: N815 - wire name


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
_ROOT_KEYS = {"data", "body", ""}
_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_UNKNOWN_FIELD = re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`")
_MISSING_FIELD = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")


#: paths answered in the Meetario dialect
MEETARIO_PREFIX = "/api/v1/"


class MeetarioErrorBody(msgspec.Struct, omit_defaults=True):
    """The Meetario sheet's envelope: `{error, message, status_code, timestamp, details?}`;
    `request_id` for server errors, to quote to support."""

    error: str
    message: str
    status_code: int
    timestamp: str
    details: list[FieldError] | None = None
    request_id: str | None = None


#: Meetario's names for the codes that differ; the others are the same words
_MEETARIO_CODES = {"validation_failed": "validation_error", "rate_limited": "rate_limit_exceeded"}


def _meetario_body(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    code: str,
    errors: Sequence[FieldError],
) -> tuple[int, dict[str, Any]]:
    """Validation failures are 422 there (the sheet's table); everything else keeps its status."""
    if code == "validation_failed":
        status = 422
    body = MeetarioErrorBody(
        error=_MEETARIO_CODES.get(code, code),
        message=message,
        status_code=status,
        timestamp=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        details=list(errors) or None,
        request_id=request_id_of(request.scope) if status >= 500 else None,
    )
    return status, msgspec.to_builtins(body)


def is_meetario(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(MEETARIO_PREFIX)


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def render(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    code: str,
    *,
    errors: Sequence[FieldError] = (),
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[Any]:
    if is_meetario(request):
        status, meetario = _meetario_body(request, status, message, code, errors)
        return Response(
            meetario, status_code=status, media_type=MediaType.JSON, headers=dict(headers or {})
        )
    body = msgspec.to_builtins(
        ErrorBody(
            statusCode=status,
            message=message,
            error=reason(status),
            code=code,
            errors=list(errors) or None,
            requestId=request_id_of(request.scope) if status >= 500 else None,
        )
    )
    if extra:
        body.update(extra)
    return Response(
        body, status_code=status, media_type=MediaType.JSON, headers=dict(headers or {})
    )


def field_path(raw: str) -> str:
    """Turn msgspec's `$.a.b[0].c` location into the wire path `a.b[0].c`."""
    return raw.removeprefix(".")


def validation_errors(exc: ValidationException) -> list[FieldError]:
    """Field errors from a Litestar validation exception, named by wire path."""
    found: list[FieldError] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if not isinstance(item, Mapping):
            continue
        text = str(item.get("message", "Invalid value"))
        key = item.get("key")
        match = _MSGSPEC_PATH.search(text)
        if match:
            text = text[: match.start()]
            key = field_path(match.group("path")) or key
        key = None if key in _ROOT_KEYS else key
        named = _UNKNOWN_FIELD.match(text) or _MISSING_FIELD.match(text)
        if named:
            name = named.group("name")
            key = f"{key}.{name}" if key else name
            text = "Unknown field" if named.re is _UNKNOWN_FIELD else "Required"
        found.append(FieldError(str(key or "body"), text))
    if not found and exc.detail:
        text = str(exc.detail)
        unknown = _UNKNOWN_FIELD.match(text) or _MISSING_FIELD.match(text)
        match = _MSGSPEC_PATH.search(text)
        path = field_path(match.group("path")) if match else ""
        if unknown:
            name = unknown.group("name")
            message = "Unknown field" if unknown.re is _UNKNOWN_FIELD else "Required"
            found.append(FieldError(f"{path}.{name}" if path else name, message))
        elif match:
            found.append(FieldError(path or "body", text[: match.start()]))
    return found


def _app_error(request: Request[Any, Any, Any], exc: AppError) -> Response[Any]:
    return render(
        request,
        exc.status,
        exc.message,
        exc.code,
        errors=exc.errors,
        extra=exc.extra,
        headers=exc.headers,
    )


def _wire_names(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Handler parameter → the name the client sent it under (`page_size` → `pageSize`)."""
    handler = request.scope.get("route_handler")
    signature = getattr(handler, "parsed_fn_signature", None)
    names: dict[str, str] = {}
    for name, parameter in getattr(signature, "parameters", {}).items():
        alias = getattr(parameter.kwarg_definition, "name", None)
        if isinstance(alias, str) and alias != name:
            names[name] = alias
    return names


def _validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    names = _wire_names(request)
    errors = [
        FieldError(names.get(error.field, error.field), error.message)
        for error in validation_errors(exc)
    ]
    detail = str(exc.detail or "")
    if not errors:
        return render(request, 400, detail or "Bad Request", "bad_request")
    return render(request, 400, "Validation failed", "validation_failed", errors=errors)


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        return _unexpected(request, exc)
    message = str(exc.detail) if exc.detail else reason(status)
    if isinstance(exc.__cause__, SerializationException):
        errors = [FieldError("body", message)]
        return render(request, 400, "Malformed JSON body", "malformed_json", errors=errors)
    if status == 404 and message == "Not Found":
        message = "Cannot find the requested resource"
    return render(request, status, message, _HTTP_CODES.get(status, "error"), headers=exc.headers)


def _integrity_error(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[Any]:
    known = CONSTRAINT_ERRORS.get(constraint_name(exc) or "")
    if known is None:
        return _unexpected(request, exc)
    error_cls, message = known
    return _app_error(request, error_cls(message))


def _database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """503 with Retry-After: a lost or refused database connection is an outage, not a bug."""
    log.warning(
        "database unavailable request_id=%s path=%s error=%s",
        request_id_of(request.scope),
        request.url.path,
        describe(exc),
    )
    error = ServiceUnavailable(
        "The database is unavailable; try again shortly",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )
    return _app_error(request, error)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_database_unavailable(exc):
        return _database_unavailable(request, exc)
    log.error(
        "unhandled error request_id=%s path=%s",
        request_id_of(request.scope),
        request.url.path,
        exc_info=exc,
    )
    return render(request, 500, "Internal Server Error", "internal_error")


exception_handlers: ExceptionHandlersMap = {
    AppError: _app_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    IntegrityError: _integrity_error,
    Exception: _unexpected,
}
