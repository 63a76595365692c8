"""Query parameters of `GET /v4/booking-availability`, with meetergo's documented aliases."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slotwise.kit import fields
from slotwise.kit.errors import FieldError, ValidationFailed
from slotwise.slots.booking_rules import SlotRequest

MAX_DAYS = 62


@dataclass(frozen=True)
class RawSlotParams:
    meeting_type_id: str | None
    start: str | None
    end: str | None
    start_date: str | None
    end_date: str | None
    from_: str | None
    to: str | None
    timezone: str | None
    host_ids: list[str]
    meeting_duration: int | None
    existing_appointment_id: str | None
    troubleshoot: bool


def _date(value: str, field: str, errors: list[FieldError]) -> date | None:
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
        else:
            day = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        errors.append(FieldError(field, "Expected a date YYYY-MM-DD"))
        return None
    if out_of_range := fields.day(day, field):
        errors += out_of_range
        return None
    return day


def _uuid(value: str, field: str, errors: list[FieldError]) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        errors.append(FieldError(field, "Expected a UUID"))
        return None


def _pick(
    pairs: tuple[tuple[str, str | None], ...], errors: list[FieldError], label: str
) -> date | None:
    """The first of the documented aliases that was sent (`start`, `startDate`, `from`)."""
    for name, value in pairs:
        if value:
            return _date(value, name, errors)
    errors.append(FieldError(label, "Required"))
    return None


def parse(raw: RawSlotParams) -> SlotRequest:
    errors: list[FieldError] = []
    meeting_type_id = None
    if not raw.meeting_type_id:
        errors.append(FieldError("meetingTypeId", "Required"))
    else:
        meeting_type_id = _uuid(raw.meeting_type_id, "meetingTypeId", errors)
    start = _pick(
        (("start", raw.start), ("startDate", raw.start_date), ("from", raw.from_)), errors, "start"
    )
    end = _pick((("end", raw.end), ("endDate", raw.end_date), ("to", raw.to)), errors, "end")
    hosts = [
        host
        for value in raw.host_ids
        for part in value.split(",")
        if part.strip() and (host := _uuid(part.strip(), "hostIds", errors)) is not None
    ]
    existing = None
    if raw.existing_appointment_id:
        existing = _uuid(raw.existing_appointment_id, "existingAppointmentId", errors)
    if errors or meeting_type_id is None or start is None or end is None:
        raise ValidationFailed(errors=errors)
    return SlotRequest(
        meeting_type_id=meeting_type_id,
        start=start,
        end=end,
        timezone=raw.timezone or None,
        host_ids=tuple(hosts),
        duration=raw.meeting_duration,
        existing_appointment_id=existing,
        troubleshoot=raw.troubleshoot,
    )


def window(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """Local dates `[start, end]` (inclusive) in `zone` as UTC instants; checks the range."""
    errors: list[FieldError] = []
    if end < start:
        errors.append(FieldError("end", "Must not be before start"))
    elif (end - start).days + 1 > MAX_DAYS:
        errors.append(FieldError("end", f"The range may span at most {MAX_DAYS} days"))
    errors += fields.zone(zone)
    if errors:
        raise ValidationFailed(errors=errors)
    tz = ZoneInfo(zone)
    first = datetime.combine(start, time(0), tz).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time(0), tz).astimezone(UTC)
    return first, after
