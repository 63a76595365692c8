"""Booking body rules that need the meeting type: duration, host, names, custom fields."""

import uuid
from dataclasses import dataclass
from typing import Any

from slotwise.bookings import schemas as s
from slotwise.kit import fields
from slotwise.kit.errors import FieldError, ValidationFailed
from slotwise.meeting_types.channels import current_name
from slotwise.models import Attendee, MeetingType
from slotwise.slots.booking_rules import BookingRules


@dataclass(frozen=True)
class Checked:
    """A booking body that passed every rule, with the values derived from it."""

    duration: int
    firstname: str
    lastname: str
    channel: str
    custom_field_values: dict[str, Any]


def _names(attendee: s.AttendeeInput) -> tuple[str, str] | None:
    first = (attendee.firstname or "").strip()
    last = (attendee.lastname or "").strip()
    if first and last:
        return first, last
    full = " ".join((attendee.fullname or "").split())
    if full:
        head, _, tail = full.rpartition(" ")
        return (head, tail) if head else (tail, "")
    return None


def _custom_fields(
    meeting_type: MeetingType, given: dict[str, str | bool] | None, errors: list[FieldError]
) -> dict[str, Any]:
    values = dict(given or {})
    fields = {str(field["key"]): field for field in meeting_type.custom_fields}
    unknown = sorted(values.keys() - fields.keys())
    errors.extend(FieldError(f"customFieldValues.{key}", "Unknown field") for key in unknown)
    for key, field in fields.items():
        path = f"customFieldValues.{key}"
        value = values.get(key)
        kind = field.get("type")
        if value is None or value == "" or value is False:
            if field.get("required"):
                errors.append(FieldError(path, "Required"))
        elif kind == "checkbox" and not isinstance(value, bool):
            errors.append(FieldError(path, "Must be true or false"))
        elif kind != "checkbox" and not isinstance(value, str):
            errors.append(FieldError(path, "Must be a string"))
        elif kind == "select" and value not in (field.get("options") or []):
            errors.append(FieldError(path, "Not one of the field's options"))
    return {key: value for key, value in values.items() if key in fields}


def _team(
    data: s.BookingCreate, rules: BookingRules, members: frozenset[uuid.UUID]
) -> list[FieldError]:
    """`hostIds`, `queueId` and `ignoreAvailability` against the host or the team."""
    errors: list[FieldError] = []
    queue_id = rules.meeting_type.queue_id
    if data.host_ids is not None:
        if queue_id is None and set(data.host_ids) != {rules.host_id}:
            errors.append(FieldError("hostIds", "Not the host of this meeting type"))
        elif queue_id is not None and not set(data.host_ids) <= members:
            errors.append(FieldError("hostIds", "Not a host of this meeting type"))
    if data.queue_id is not None and data.queue_id != queue_id:
        message = "Not this meeting type's queue" if queue_id else "This meeting type has no queue"
        errors.append(FieldError("queueId", message))
    if queue_id is not None and data.ignore_availability:
        message = "Team meeting types always check their hosts' availability"
        errors.append(FieldError("ignoreAvailability", message))
    return errors


def booking(
    data: s.BookingCreate, rules: BookingRules, members: frozenset[uuid.UUID] = frozenset()
) -> Checked:
    """Check the body against the meeting type (a team type's `members`); 400 naming every
    failing field."""
    errors: list[FieldError] = []
    meeting_type = rules.meeting_type
    duration = meeting_type.duration if data.duration is None else data.duration
    if duration not in rules.durations():
        allowed = ", ".join(str(d) for d in sorted(rules.durations()))
        errors.append(FieldError("duration", f"Must be one of {allowed}"))
    errors += _team(data, rules, members)
    names = _names(data.attendee)
    if names is None:
        message = "Give firstname and lastname, or fullname"
        errors.append(FieldError("attendee", message))
    if data.attendee.timezone is not None:
        errors += fields.zone(data.attendee.timezone, "attendee.timezone")
    values = _custom_fields(meeting_type, data.custom_field_values, errors)
    channel = current_name(data.channel) if data.channel else None
    # a type that lists allowedChannels limits the choice to them and its own channel
    listed = meeting_type.meeting_options.get("allowedChannels") or []
    channels = {meeting_type.channel, *listed}
    if channel is not None and listed and channel not in channels:
        errors.append(FieldError("channel", f"Must be one of {', '.join(sorted(channels))}"))
    if errors or names is None:
        raise ValidationFailed(errors=errors)
    return Checked(
        duration=duration,
        firstname=names[0],
        lastname=names[1],
        channel=channel or meeting_type.channel,
        custom_field_values=values,
    )


def new_attendee(
    data: s.AttendeeInput, checked: Checked, appointment_id: uuid.UUID, secret_hash: str | None
) -> Attendee:
    return Attendee(
        appointment_id=appointment_id,
        email=data.email.strip(),
        firstname=checked.firstname,
        lastname=checked.lastname,
        phone=data.phone,
        timezone=data.timezone,
        language=data.language,
        receive_reminders=data.receive_reminders,
        data_policy_accepted=data.data_policy_accepted,
        bringalong_emails=[email.strip() for email in data.bringalong_emails],
        notes=dict(data.notes),
        custom_field_values=checked.custom_field_values,
        secret_hash=secret_hash,
    )


def meeting_info(
    meeting_type: MeetingType, checked: Checked, data: s.BookingCreate
) -> dict[str, Any]:
    """The snapshot an appointment keeps of what was booked (with the calendar event's own
    title and description when the booking gave them)."""
    link = meeting_type.custom_channel_link if checked.channel == "custom" else None
    info = {
        "name": meeting_type.name,
        "description": meeting_type.description,
        "duration": checked.duration,
        "channel": checked.channel,
        "meetingLink": link,
    }
    extra = {"icsTitle": data.ics_title, "icsDescription": data.ics_description}
    return info | {key: value for key, value in extra.items() if value}
