"""The events an endpoint receives, for the API document's `webhooks` section (OpenAPI 3.1).

An endpoint registered under /webhooks or /v4/webhooks receives meetergo's flat body
(`events.event_body`): `webhookType`, the resource's fields, `eventId` and `occurredAt`. One
registered under /api/v1/webhooks receives Meetario's (`events.meetario_body`), keyed here by
its dotted name: `event`, `event_id`, `occurred_at` and the event as `GET /api/v1/events/{id}`
shows it in `data`. Both are signed per Standard Webhooks.
"""

from litestar.enums import ParamType
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    PathItem,
    Reference,
    RequestBody,
    Schema,
)

from slotwise.webhooks.events import MEETARIO_EVENTS, MEETARIO_PING, PING, EventType, dotted

_STRING = Schema(type=OpenAPIType.STRING)
_HEADERS = [
    Parameter(
        name=name,
        param_in=ParamType.HEADER,
        required=True,
        schema=_STRING,
        description=description,
    )
    for name, description in (
        ("webhook-id", "The event's id, the same on every attempt: deduplicate on it"),
        ("webhook-timestamp", "Unix time of this attempt"),
        (
            "webhook-signature",
            'v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"> under the endpoint\'s secret'
            " (two during a secret rotation's overlap)",
        ),
    )
]
_RESPONSES = {
    "2XX": OpenAPIResponse(description="Delivered"),
    "410": OpenAPIResponse(description="Gone: the endpoint is disabled and receives nothing more"),
    "default": OpenAPIResponse(
        description="Any other answer or none in time: retried with backoff"
    ),
}

#: what each appointment event is about, and the fields it adds to the appointment
_APPOINTMENT_EVENTS: dict[EventType, tuple[str, dict[str, Schema | Reference]]] = {
    EventType.BOOKING_CREATED: ("A booking was made (or confirmed by its attendee)", {}),
    EventType.BOOKING_CANCELLED: (
        "An appointment was cancelled, or one attendee of a group left it",
        {"cancelledAttendeeId": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID)},
    ),
    EventType.BOOKING_RESCHEDULED: (
        "An appointment moved to another time",
        {"previousStart": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME)},
    ),
    EventType.BOOKING_REQUESTED: ("A booking waits for the host's confirmation", {}),
    EventType.BOOKING_CONFIRMED: ("The host confirmed a booking that waited for it", {}),
    EventType.BOOKING_DECLINED: ("The host declined a booking; its slot is free again", {}),
    EventType.BOOKING_COMPLETED: (
        "A confirmed appointment ended (sent within a minute of its end)",
        {},
    ),
    EventType.BOOKING_REASSIGNED: (
        "An appointment moved to another host (its host left the company)",
        {
            "previousHostIds": Schema(
                type=OpenAPIType.ARRAY,
                items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID),
            )
        },
    ),
}


def _envelope(event: str, properties: dict[str, Schema | Reference]) -> Schema:
    return Schema(
        type=OpenAPIType.OBJECT,
        properties={
            **properties,
            "webhookType": Schema(type=OpenAPIType.STRING, const=event),
            "eventId": Schema(
                type=OpenAPIType.STRING, description="Equal to the webhook-id header"
            ),
            "occurredAt": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
        },
        required=["webhookType", "eventId", "occurredAt"],
    )


def _meetario_envelope(event: str, data: Schema | Reference) -> Schema:
    return Schema(
        type=OpenAPIType.OBJECT,
        properties={
            "event": Schema(type=OpenAPIType.STRING, const=event),
            "event_id": Schema(
                type=OpenAPIType.STRING, description="Equal to the webhook-id header"
            ),
            "occurred_at": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME),
            "data": data,
        },
        required=["event", "event_id", "occurred_at", "data"],
        description="Sent to endpoints registered under /api/v1/webhooks",
    )


_UUID = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID)
#: the snake_case details a Meetario body carries beside `data`, by event
_MEETARIO_DETAILS: dict[EventType, dict[str, Schema | Reference]] = {
    EventType.BOOKING_CREATED: {
        "attendee_id": Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.UUID,
            description="Set when someone joined a group event: the new attendee",
        )
    },
    EventType.BOOKING_CANCELLED: {
        "cancelled_attendee_id": Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.UUID,
            description="Set when one attendee left a group event (it goes on for the others)",
        )
    },
    EventType.BOOKING_RESCHEDULED: {
        "previous_start_time": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME)
    },
    EventType.BOOKING_REASSIGNED: {
        "previous_host_ids": Schema(type=OpenAPIType.ARRAY, items=_UUID)
    },
}


def _post(event: str, summary: str, body: Schema) -> PathItem:
    return PathItem(
        post=Operation(
            operation_id="on"
            + "".join(word.title() for word in event.replace(".", "_").split("_"))
            + ("V1" if "." in event else ""),
            summary=summary,
            tags=["webhooks"],
            parameters=list(_HEADERS),
            request_body=RequestBody(
                content={"application/json": OpenAPIMediaType(schema=body)}, required=True
            ),
            responses=dict(_RESPONSES),
        )
    )


def _meeting_type() -> Schema:
    return Schema(
        type=OpenAPIType.OBJECT,
        description="The appointment's meeting type",
        properties={
            "id": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID),
            "slug": _STRING,
            "meetingInfo": Schema(
                type=OpenAPIType.OBJECT,
                properties={"name": _STRING, "duration": Schema(type=OpenAPIType.INTEGER)},
            ),
            "metadata": Schema(type=OpenAPIType.OBJECT, additional_properties=_STRING),
        },
    )


def webhook_events() -> dict[str, PathItem | Reference]:
    """One entry per event a subscription can receive, keyed by its `webhookType`."""
    found: dict[str, PathItem | Reference] = {}
    for event, (summary, extra) in _APPOINTMENT_EVENTS.items():
        body = Schema(
            all_of=[
                Reference(ref="#/components/schemas/Appointment"),
                _envelope(event.value, {**extra, "meetingType": _meeting_type()}),
            ],
            description="The appointment as the API shows it (never its secret), flat",
        )
        found[event.value] = _post(event.value, summary, body)
    found[EventType.NEW_EMPLOYEE.value] = _post(
        EventType.NEW_EMPLOYEE.value,
        "A user was provisioned with POST /v4/user",
        _envelope(
            EventType.NEW_EMPLOYEE.value,
            {
                "userId": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID),
                "email": _STRING,
                "bookingUrl": _STRING,
            },
        ),
    )
    found[EventType.CREDENTIAL_ERROR.value] = _post(
        EventType.CREDENTIAL_ERROR.value,
        "A connected calendar stopped working (sent once until it works again)",
        _envelope(
            EventType.CREDENTIAL_ERROR.value,
            {
                "connectionId": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID),
                "userId": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID),
                "provider": _STRING,
                "message": _STRING,
            },
        ),
    )
    found[PING] = _post(
        PING,
        "A test delivery from POST /webhooks/{id}/test",
        _envelope(PING, {"webhookId": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID)}),
    )
    return found | _meetario_events()


def _meetario_events() -> dict[str, PathItem | Reference]:
    found: dict[str, PathItem | Reference] = {}
    for event in sorted(MEETARIO_EVENTS):
        summary = _APPOINTMENT_EVENTS[event][0]
        name = dotted(event.value)
        body = _meetario_envelope(name, Reference(ref="#/components/schemas/V1Event"))
        if event in _MEETARIO_DETAILS:
            body.properties = {**(body.properties or {}), **_MEETARIO_DETAILS[event]}
        found[name] = _post(name, summary, body)
    test = _meetario_envelope(
        MEETARIO_PING,
        Schema(
            type=OpenAPIType.OBJECT,
            properties={"webhook_id": Schema(type=OpenAPIType.INTEGER)},
            required=["webhook_id"],
        ),
    )
    found[MEETARIO_PING] = _post(
        MEETARIO_PING, "A test delivery from POST /api/v1/webhooks/{id}/test", test
    )
    return found
