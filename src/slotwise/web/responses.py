"""The error responses each operation documents: the statuses it can really return, each with
meetergo's envelope, and the headers every response carries.

Which statuses follow from what a route is (authenticated, with path parameters, with a body,
acting for a user); the ones that follow from what a route does (409 conflicts, 406, 422) are
listed by operation below, in one place.
"""

from typing import Any

from litestar import Litestar
from litestar.datastructures import ResponseHeader
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.routes import HTTPRoute

from slotwise.auth.access import access_of
from slotwise.web.docs import KEY_SCHEME, PAT_SCHEME
from slotwise.web.error_handlers import MEETARIO_PREFIX, ErrorBody, MeetarioErrorBody
from slotwise.web.form_bodies import FormRequest

_LINK_GONE = "The one-time link is used (`link_used`) or expired (`link_expired`)"
#: statuses beyond the ones every route of its kind has, by operation (the handler's name)
SPECIFIC: dict[str, dict[int, str]] = {
    "create_booking": {409: "The slot is no longer available"},
    "connect_calendar_by_link": {404: "The link's grant does not open, or it has expired"},
    "create_event": {409: "The slot is no longer available, or the event type is disabled"},
    "reschedule_event": {409: "The new slot is taken, or the event is cancelled"},
    "cancel_event": {409: "The event is already cancelled"},
    "book_on_booking_page": {409: "The slot is no longer available"},
    "book_with_one_time_link": {
        409: "The slot is no longer available (the link still books), or the meeting type is"
        " disabled or its host deleted",
        410: _LINK_GONE,
    },
    "get_one_time_link_slots": {410: _LINK_GONE},
    "create_one_time_link": {409: "The meeting type is disabled"},
    "reschedule_appointment": {409: "The new slot is taken, or the appointment is cancelled"},
    "reschedule_own_appointment": {409: "The new slot is taken"},
    "cancel_appointment": {409: "The appointment is already cancelled"},
    "cancel_own_appointment": {409: "The appointment is already cancelled"},
    "delete_appointment": {409: "The appointment is already cancelled"},
    "confirm_provisional_booking": {
        409: "Already decided, expired, or waiting for its attendee (double opt-in)"
    },
    "decline_provisional_booking": {409: "Already decided, or expired"},
    "confirm_booking_request": {409: "The request expired"},
    "decline_booking_request": {409: "The request expired"},
    "confirm_booking_as_attendee": {409: "The booking expired, was declined or cancelled"},
    "activate_api_key": {409: "The key is revoked"},
    "deactivate_api_key": {409: "The key is revoked"},
    "create_user": {409: "The email or slug is taken"},
    "update_user": {409: "The slug is taken, or the last owner would be demoted"},
    "delete_user": {409: "The user's appointments cannot be handed over"},
    "create_meeting_type": {
        406: "The user has as many meeting types as allowed",
        409: "The slug is taken",
    },
    "update_meeting_type": {409: "The slug is taken"},
    "create_event_type": {
        406: "The user has as many event types as allowed",
        409: "The slug is taken",
    },
    "update_event_type": {409: "The slug is taken"},
    "delete_availability": {409: "Meeting types still use it, or it is the user's last one"},
    "delete_meeting_type": {
        409: "The availability to delete with it is used elsewhere, or is the user's last one"
    },
    "redeliver_webhook_delivery": {409: "The webhook is not active, or the delivery is running"},
    "create_webhook": {406: "The company has as many webhooks as allowed"},
    "create_meetario_webhook": {406: "The company has as many webhooks as allowed"},
    "create_api_key": {406: "The company has as many live API keys as allowed"},
    "create_personal_access_token": {
        406: "The user has as many live tokens as allowed",
        409: "The user has a token with this name",
    },
    "create_availability_exception": {406: "The availability has as many exceptions as allowed"},
    "import_holiday_exceptions": {
        406: "The new holidays would pass the availability's exception limit (none is added)"
    },
}
#: routes that take an Idempotency-Key: a key sent again with another body is 422, and 409
#: while the first request with it runs
IDEMPOTENT = frozenset(
    {
        "create_booking",
        "create_user",
        "cancel_appointment",
        "reschedule_appointment",
        "book_on_booking_page",
        "book_with_one_time_link",
        "create_availability",
        "create_availability_exception",
        "create_meeting_type",
        "create_api_key",
        "create_personal_access_token",
        "create_webhook",
        "rotate_webhook_secret",
        "redeliver_webhook_delivery",
    }
)

REQUEST_ID = ResponseHeader(
    name="x-request-id",
    description="The request's id (the one sent, or a new one), also in the server's logs",
    documentation_only=True,
)
RATE_LIMIT = [
    ResponseHeader(name=name, description=text, documentation_only=True)
    for name, text in (
        ("X-RateLimit-Limit", "Requests allowed in the window (when limiting is on)"),
        ("X-RateLimit-Remaining", "Requests left in the window"),
        ("X-RateLimit-Reset", "When the window is full again (Unix time)"),
    )
]
IN_PROGRESS = "a request with the same Idempotency-Key is still running"
_GENERIC = {
    400: "Bad request: a field, parameter or header is missing or invalid (`errors` names it)",
    401: "Missing or invalid credentials",
    403: "The credential may not do this (a token's scope, a member's role)",
    404: "Not found (or another company's: they look the same)",
    413: "The body is larger than the server accepts",
    415: "The body is not JSON",
    422: "The Idempotency-Key was used before with another request",
    429: "Too many requests; see Retry-After",
}
_FORM_415 = "The body is neither JSON nor a form"  # on a route that takes forms too


def _error(description: str, container: type[Any] = ErrorBody) -> ResponseSpec:
    return ResponseSpec(data_container=container, description=description, generate_examples=False)


_MEETARIO_422 = "Validation failed: `details` names each field as the request spelled it"


def _meetario(found: dict[int, str]) -> dict[int, str]:
    """/api/v1 answers validation failures with 422 (the sheet's table); 400 stays for a body
    that is not JSON."""
    found = dict(found)
    found[422] = _MEETARIO_422
    if 400 in found:
        found[400] = "The body is not valid JSON"
    return found


def statuses(handler: HTTPRouteHandler, path: str) -> dict[int, str]:
    """The error statuses `handler` at `path` can answer, with what each means there."""
    found = {400: _GENERIC[400], 429: _GENERIC[429]}
    authenticated = not handler.opt.get("exclude_from_auth")
    if authenticated:
        found |= {401: _GENERIC[401], 403: _GENERIC[403]}
    if authenticated or "{" in path:
        found[404] = _GENERIC[404]  # the path's resource, a referenced one, the acting user
    if handler.http_methods & {"POST", "PUT", "PATCH"}:
        forms = issubclass(handler.resolve_request_class(), FormRequest)
        found |= {413: _GENERIC[413], 415: _FORM_415 if forms else _GENERIC[415]}
    found |= SPECIFIC.get(handler.handler_name, {})
    if handler.handler_name in IDEMPOTENT:
        conflict = found.get(409)
        found[409] = f"{conflict} (or {IN_PROGRESS})" if conflict else f"Busy: {IN_PROGRESS}"
        found[422] = _GENERIC[422]
    return found


def document_errors(app: Litestar) -> None:
    """Give every documented operation its error responses, response headers and the
    credentials it takes (read when the document is first built; public routes take none)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            found = statuses(handler, route.path)
            container: type[Any] = ErrorBody
            if route.path.startswith(MEETARIO_PREFIX):
                found, container = _meetario(found), MeetarioErrorBody
            specs = {status: _error(text, container) for status, text in found.items()}
            handler.responses = specs | dict(handler.responses or {})
            if not handler.opt.get("exclude_from_auth"):
                tokens = access_of(handler.opt).pat
                schemes = [KEY_SCHEME, PAT_SCHEME] if tokens else [KEY_SCHEME]
                handler.security = [{scheme: []} for scheme in schemes]
            handler.response_headers = [REQUEST_ID, *RATE_LIMIT, *(handler.response_headers or [])]
