"""Meeting type field rules: request structs to column values, checked across fields."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec

from slotwise.kit.errors import FieldError, ValidationFailed
from slotwise.kit.fields import SLUG_RULE
from slotwise.kit.slugs import is_valid
from slotwise.kit.wire import reminder_times
from slotwise.meeting_types import schemas as s
from slotwise.meeting_types.channels import Channel, current_name
from slotwise.models import MeetingType

DEFAULT_BOOKING_LIMIT = 43_200
"""Minutes: 30 days."""
METADATA_KEYS = 20
METADATA_KEY_LENGTH = 100
METADATA_VALUE_LENGTH = 500
PRICE_LIMIT = Decimal(10) ** 10
CENT = Decimal("0.01")


def checked_slug(slug: str) -> str:
    if not is_valid(slug):
        raise ValidationFailed.field("slug", SLUG_RULE)
    return slug


def fail_if(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed(errors=errors)


def channel(value: str) -> Channel:
    known = current_name(value)
    if known is None:
        raise ValidationFailed.field("meetingInfo.channel", f"Unknown channel {value!r}")
    return known


def days_into_future(data: s.DaysIntoFuture | None) -> dict[str, Any]:
    """The stored horizon; a limit without `bookingLimit` is 30 days."""
    if data is None:
        return {"mode": "limit", "bookingLimit": DEFAULT_BOOKING_LIMIT}
    errors: list[FieldError] = []
    wrong_mode = [
        ("bookingLimit", data.booking_limit, "limit"),
        ("rangeMin", data.range_min, "range"),
        ("rangeMax", data.range_max, "range"),
    ]
    for name, value, mode in wrong_mode:
        if value is not None and data.mode != mode:
            errors.append(FieldError(f"daysIntoFuture.{name}", f"Only allowed with mode {mode}"))
    if data.mode == "range":
        ends = (("rangeMin", data.range_min), ("rangeMax", data.range_max))
        errors.extend(
            FieldError(f"daysIntoFuture.{name}", "Required with mode range")
            for name, value in ends
            if value is None
        )
        if data.range_min and data.range_max and data.range_max < data.range_min:
            errors.append(FieldError("daysIntoFuture.rangeMax", "Must not be before rangeMin"))
    fail_if(errors)
    limit = (data.booking_limit or DEFAULT_BOOKING_LIMIT) if data.mode == "limit" else None
    view = s.DaysIntoFutureView(
        mode=data.mode,
        booking_limit=limit,
        range_min=data.range_min,
        range_max=data.range_max,
        count_mode=data.count_mode,
    )
    return dict(msgspec.to_builtins(view))


def meeting_options(
    data: s.MeetingOptionsInput | None, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Merge given options into `current`; meetergo's `"useCompanySettings"` means no."""
    merged: dict[str, Any] = {
        "allowedDurations": [],
        "requireHostConfirmation": False,
        "doubleOptIn": False,
        "allowedChannels": [],
    }
    merged |= current or {}
    if data is None:
        return merged
    if not isinstance(data.allowed_durations, msgspec.UnsetType):
        merged["allowedDurations"] = sorted(set(data.allowed_durations))
    if not isinstance(data.require_host_confirmation, msgspec.UnsetType):
        merged["requireHostConfirmation"] = data.require_host_confirmation is True
    if not isinstance(data.double_opt_in, msgspec.UnsetType):
        merged["doubleOptIn"] = data.double_opt_in is True
    if not isinstance(data.allowed_channels, msgspec.UnsetType):
        merged["allowedChannels"] = sorted({channel(name) for name in data.allowed_channels})
    return merged


def metadata(value: dict[str, str] | None) -> dict[str, str]:
    value = value or {}
    errors: list[FieldError] = []
    if len(value) > METADATA_KEYS:
        errors.append(FieldError("metadata", f"At most {METADATA_KEYS} keys"))
    for key, item in value.items():
        if not 1 <= len(key) <= METADATA_KEY_LENGTH:
            name = key[:METADATA_KEY_LENGTH]
            message = f"Keys have 1 to {METADATA_KEY_LENGTH} characters"
            errors.append(FieldError(f"metadata.{name}", message))
        elif len(item) > METADATA_VALUE_LENGTH:
            message = f"At most {METADATA_VALUE_LENGTH} characters"
            errors.append(FieldError(f"metadata.{key}", message))
    fail_if(errors)
    return dict(value)


def custom_fields(items: list[s.CustomField] | None) -> list[dict[str, Any]]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for position, item in enumerate(items or []):
        path = f"customFields[{position}]"
        if item.key in seen:
            errors.append(FieldError(f"{path}.key", "Duplicate key"))
        seen.add(item.key)
        if item.type == "select" and not item.options:
            errors.append(FieldError(f"{path}.options", "Required for select fields"))
        elif item.type != "select" and item.options is not None:
            errors.append(FieldError(f"{path}.options", "Only allowed for select fields"))
    fail_if(errors)
    return [dict(msgspec.to_builtins(item)) for item in items or []]


def locations(items: list[s.Location] | None) -> list[dict[str, Any]]:
    return [dict(msgspec.to_builtins(item)) for item in items or []]


def price(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value >= PRICE_LIMIT:
        raise ValidationFailed.field("price", "Must be between 0 and 9999999999.99")
    if value != value.quantize(CENT):
        raise ValidationFailed.field("price", "At most two decimal places")
    return value.quantize(CENT)


def one_color(info_color: str | None, color: str | None) -> str | None:
    """`color` and `meetingInfo.color` are one setting: both may be sent if they agree."""
    if info_color is not None and color is not None and info_color != color:
        raise ValidationFailed.field("color", "Differs from meetingInfo.color; send one of them")
    return color if color is not None else info_color


def check(row: MeetingType) -> None:
    """Rules across fields, on the row as it will be stored."""
    errors: list[FieldError] = []
    if row.channel == "custom" and not row.custom_channel_link:
        message = "Required when channel is custom"
        errors.append(FieldError("meetingInfo.customChannelLink", message))
    if row.price is not None and row.currency is None:
        errors.append(FieldError("currency", "Required with price"))
    options = row.meeting_options or {}
    if options.get("enableRedirect") and not options.get("redirect"):
        errors.append(FieldError("meetingInfo.redirect", "Required with enableRedirect"))
    if options.get("doubleOptIn") is True and row.spots > 1:
        message = "Not available for group types (spots > 1)"
        errors.append(FieldError("meetingOptions.doubleOptIn", message))
    fail_if(errors)


def reminders(minutes: list[int] | None) -> list[int] | None:
    return None if minutes is None else reminder_times(minutes)


#: PATCH fields copied as they are (request attribute = column)
_PLAIN = ("enabled", "timeslot_interval", "booking_minimum", "spots", "currency")
_PLAIN_INFO = (
    "name",
    "description",
    "duration",
    "custom_channel_name",
    "custom_channel_link",
    "buffer_before",
    "buffer_after",
)
#: PATCH fields checked and converted: request attribute → (column, rule)
_CONVERTED: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "days_into_future": ("days_into_future", days_into_future),
    "metadata": ("meta", metadata),
    "locations": ("locations", locations),
    "custom_fields": ("custom_fields", custom_fields),
    "price": ("price", price),
    "reminders": (
        "reminders",
        lambda minutes: None if minutes is None else reminder_times(minutes),
    ),
}


def _given(value: object) -> bool:
    return not isinstance(value, msgspec.UnsetType)


#: meetergo's redirect fields of meetingInfo, kept with the meeting options
REDIRECT_FIELDS = {
    "enable_redirect": "enableRedirect",
    "redirect": "redirect",
    "pass_event_details_to_redirect": "passEventDetailsToRedirect",
}


def redirect_options(
    info: s.MeetingInfoInput | s.MeetingInfoUpdate, current: dict[str, Any]
) -> dict[str, Any]:
    """The meeting options with the redirect fields `info` sends merged in."""
    merged = dict(current)
    for name, key in REDIRECT_FIELDS.items():
        if _given(value := getattr(info, name)):
            merged[key] = value
    return merged


def _apply_info(row: MeetingType, info: s.MeetingInfoUpdate | msgspec.UnsetType) -> None:
    if isinstance(info, msgspec.UnsetType):
        return
    row.meeting_options = redirect_options(info, row.meeting_options)
    for name in _PLAIN_INFO:
        if _given(value := getattr(info, name)):
            setattr(row, name, value)
    if isinstance(info.channel, str):
        row.channel = channel(info.channel)


def _color(
    info: s.MeetingInfoUpdate | msgspec.UnsetType, color: str | msgspec.UnsetType | None
) -> str | msgspec.UnsetType | None:
    info_color = msgspec.UNSET if isinstance(info, msgspec.UnsetType) else info.color
    if isinstance(info_color, msgspec.UnsetType):
        return color
    if isinstance(color, msgspec.UnsetType):
        return info_color
    return one_color(info_color, color)


def apply_update(row: MeetingType, data: s.MeetingTypeUpdate) -> None:
    _apply_info(row, data.meeting_info)
    color = _color(data.meeting_info, data.color)
    if not isinstance(color, msgspec.UnsetType):
        row.color = color
    if isinstance(data.slug, str):
        row.slug = checked_slug(data.slug)
    for name in _PLAIN:
        if _given(value := getattr(data, name)):
            setattr(row, name, value)
    for name, (column, rule) in _CONVERTED.items():
        if _given(value := getattr(data, name)):
            setattr(row, column, rule(value))
    if isinstance(data.meeting_options, s.MeetingOptionsInput):
        row.meeting_options = meeting_options(data.meeting_options, row.meeting_options)
    check(row)


def inline_meeting_type(
    *,
    name: str,
    duration: int,
    slug: str | None = None,
    channel: str = "phone",
    days_into_future: s.DaysIntoFuture | None = None,
) -> s.MeetingTypeCreate:
    """The short form user provisioning takes (`meetingType` of `POST /v4/user`)."""
    known = current_name(channel)
    if known is None:
        raise ValidationFailed.field("meetingType.channel", f"Unknown channel {channel!r}")
    info = s.MeetingInfoInput(name=name, duration=duration, channel=known)
    return s.MeetingTypeCreate(meeting_info=info, slug=slug, days_into_future=days_into_future)
