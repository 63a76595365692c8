"""One error vocabulary: what services raise; `web.error_handlers` renders it."""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import msgspec
from sqlalchemy.exc import IntegrityError


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class AppError(Exception):
    """A client-visible error with a status, a stable code and meetergo's message."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    default_message: ClassVar[str] = "Bad Request"

    def __init__(
        self,
        message: str | None = None,
        *,
        errors: Sequence[FieldError] = (),
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.errors = list(errors)
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
        super().__init__(self.message)


class BadRequest(AppError):
    pass


class ValidationFailed(AppError):
    code = "validation_failed"
    default_message = "Validation failed"

    @classmethod
    def field(cls, field: str, message: str) -> "ValidationFailed":
        return cls(errors=[FieldError(field, message)])


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    default_message = "Invalid API key"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    default_message = "Forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"
    default_message = "Not Found"


class Conflict(AppError):
    status = 409
    code = "conflict"
    default_message = "Conflict"


class LimitReached(AppError):
    """One more would pass a configured cap (`SLOTWISE_MAX_…`, `SLOTWISE_WEBHOOK_MAX_ENDPOINTS`);
    406 is what meetergo answers for its webhook limit."""

    status = 406
    code = "limit_reached"
    default_message = "Limit reached"


def check_limit(count: int, adding: int, limit: int, what: str, per: str) -> None:
    """Refuse adding `adding` to `count` rows when that passes `limit`; the message names the
    limit, e.g. "Meeting type limit reached (200 per user)". Count under a lock that the
    creators of such rows take (see `db.locks`), or concurrent requests can all pass."""
    if count + adding > limit:
        raise LimitReached(f"{what} limit reached ({limit} per {per})")


class Gone(AppError):
    """Was there and is no more: a one-time link that is used or expired."""

    status = 410
    code = "gone"
    default_message = "Gone"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    default_message = "Payload Too Large"


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported_media_type"
    default_message = "Unsupported Media Type"


class Unprocessable(AppError):
    status = 422
    code = "unprocessable"
    default_message = "Unprocessable Entity"


class TooManyRequests(AppError):
    status = 429
    code = "rate_limited"
    default_message = "Too Many Requests"


class SlotUnavailable(Conflict):
    code = "slot_unavailable"
    default_message = "Slot no longer available"


class MeetingTypeDisabled(Conflict):
    code = "meeting_type_disabled"
    default_message = "The meeting type is disabled; enable it to take bookings"


class HostDeleted(Conflict):
    code = "host_deleted"
    default_message = "The host of this meeting type was deleted; it takes no bookings"


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    default_message = "Service Unavailable"


#: unique and exclusion constraints whose violation is a client-visible conflict
CONSTRAINT_ERRORS: dict[str, tuple[type[AppError], str]] = {
    "ex_appointment_host_overlap": (SlotUnavailable, "Slot no longer available"),
    "ex_appointment_host_busy": (SlotUnavailable, "Slot no longer available"),
    "uq_credential_pat_name_per_user": (Conflict, "A token with this name already exists"),
    "uq_user_email_per_company": (Conflict, "A user with this email already exists"),
    "pk_user_slug": (Conflict, "Slug already exists"),
    "uq_meeting_type_slug_per_user": (Conflict, "Slug already exists"),
    "uq_availability_one_default_per_user": (
        Conflict,
        "The default availability changed at the same time; retry",
    ),
}


def constraint_name(exc: IntegrityError) -> str | None:
    orig = exc.orig
    for candidate in (orig, getattr(orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if name:
            return str(name)
    return None
