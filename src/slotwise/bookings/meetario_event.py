"""The Meetario sheet's shape of an appointment: what `GET /api/v1/events/{id}` answers and
what an endpoint registered under `/api/v1/webhooks` receives. It lives with the bookings
because their webhooks carry it (`/api/v1` itself sits above them)."""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import msgspec

from slotwise.bookings import schemas as bs
from slotwise.models import MeetingType

EventStatus = Literal["pending", "confirmed", "cancelled", "completed"]
#: the sheet's prefixes of the ids made from UUIDs
EVENT_PREFIX = "evt_"
EVENT_TYPE_PREFIX = "et_"


class Out(msgspec.Struct, kw_only=True):
    """Base of every /api/v1 response body (named `V1…` to stand apart from /v4's shapes in
    the document)."""


class V1EventTypeBrief(Out):
    uuid: str
    id: int
    name: str
    slug: str
    duration: int


class V1Invitee(Out):
    name: str
    email: str
    phone: str | None


class V1Host(Out):
    name: str
    email: str


class V1Event(Out):
    uuid: str
    id: int
    status: EventStatus
    start_time: datetime
    end_time: datetime
    timezone: str
    event_type: V1EventTypeBrief
    invitee: V1Invitee
    host: V1Host
    notes: str | None
    created_at: datetime
    updated_at: datetime
    uri: str


def whole_seconds(value: datetime) -> datetime:
    """The sheet's timestamps carry no fraction of a second."""
    return value.replace(microsecond=0)


def event_status(appointment: bs.Appointment, now: datetime) -> EventStatus:
    """`completed`: confirmed and over."""
    if appointment.status == "confirmed" and appointment.end <= now:
        return "completed"
    return appointment.status


def event(
    appointment: bs.Appointment, number: int, meeting_type: MeetingType, now: datetime
) -> V1Event:
    attendee = appointment.attendees[0] if appointment.attendees else None
    host = appointment.hosts[0] if appointment.hosts else None
    notes = attendee.notes.get("notes") if attendee is not None else None
    return V1Event(
        uuid=f"{EVENT_PREFIX}{appointment.id.hex}",
        id=number,
        status=event_status(appointment, now),
        start_time=whole_seconds(appointment.start),
        end_time=whole_seconds(appointment.end),
        timezone=(attendee.timezone if attendee else None) or "UTC",
        event_type=V1EventTypeBrief(
            uuid=f"{EVENT_TYPE_PREFIX}{meeting_type.id.hex}",
            id=meeting_type.number,
            name=meeting_type.name,
            slug=meeting_type.slug,
            duration=meeting_type.duration,
        ),
        invitee=V1Invitee(
            name=attendee.fullname if attendee else "",
            email=attendee.email if attendee else "",
            phone=attendee.phone if attendee else None,
        ),
        host=V1Host(name=host.full_name if host else "", email=host.email if host else ""),
        notes=notes if isinstance(notes, str) else None,
        created_at=whole_seconds(appointment.created_at),
        updated_at=whole_seconds(appointment.updated_at),
        uri=f"/api/v1/events/{number}",
    )


#: event details whose sheet name is not just their snake_case spelling
_DETAIL_NAMES = {"previousStart": "previous_start_time"}
_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(name: str) -> str:
    return _DETAIL_NAMES.get(name) or _HUMP.sub(r"_\1", name).lower()


def _snake_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {snake(str(key)): _snake_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_snake_keys(item) for item in value]
    return value


def webhook_fields(
    appointment: bs.Appointment,
    number: int,
    meeting_type: MeetingType,
    now: datetime,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """A Meetario webhook's content: the event as `GET /api/v1/events/{id}` shows it (`data`)
    and the change's details in snake_case (`previous_start_time` of a reschedule, …)."""
    fields: dict[str, Any] = {"data": event(appointment, number, meeting_type, now)}
    details: dict[str, Any] = _snake_keys(msgspec.to_builtins(dict(extra)))
    if isinstance(details.get("previous_start_time"), str):
        start = datetime.fromisoformat(details["previous_start_time"])
        details["previous_start_time"] = whole_seconds(start)
    return fields | details
