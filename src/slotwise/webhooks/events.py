"""Event types and the single place that records an event for webhook delivery.

Every change that partners hear about calls `emit` inside the transaction of the change: the
event and its delivery rows are written in that same transaction (the transactional outbox), so a
rolled-back change never produces an event and a committed one is never lost.
"""

import enum
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.tenancy import CompanyId
from slotwise.jobs import Wakeup, after_commit
from slotwise.models import PayloadFormat, uuid7
from slotwise.webhooks.repository import DeliveryRepository, EndpointRepository, EventRepository

log = logging.getLogger("slotwise.webhooks")

#: the arq job that sends one delivery attempt
DELIVER = "webhooks.deliver"


#: the test delivery of POST /webhooks/{id}/test (no subscription needed)
PING = "ping"


class EventType(enum.StrEnum):
    BOOKING_CREATED = "booking_created"
    BOOKING_CANCELLED = "booking_cancelled"
    BOOKING_RESCHEDULED = "booking_rescheduled"
    #: a booking waits for host confirmation (it holds its slot)
    BOOKING_REQUESTED = "booking_requested"
    #: the host confirmed a booking that waited for confirmation; it is an appointment now
    BOOKING_CONFIRMED = "booking_confirmed"
    #: the host declined a booking that waited for confirmation; its slot is free again
    BOOKING_DECLINED = "booking_declined"
    #: an appointment moved to another host (its host left the company)
    BOOKING_REASSIGNED = "booking_reassigned"
    #: a confirmed appointment ended (recorded by the worker's completion sweep)
    BOOKING_COMPLETED = "booking_completed"
    NEW_EMPLOYEE = "new_employee"
    #: a connected calendar stopped working (wrong password, server down); sent once until it
    #: works again
    CREDENTIAL_ERROR = "credential_error"


#: meetergo's events for features slotwise does not have (forms, reviews, signatures): a
#: subscription may name them, nothing sends them
ACCEPTED_ONLY = frozenset(
    {
        "form_submission",
        "review_submitted",
        "review_published",
        "signature_completed",
    }
)
SUBSCRIBABLE = frozenset(member.value for member in EventType) | ACCEPTED_ONLY
#: the events an endpoint registered under /api/v1 may take: the ones about an appointment,
#: whose Meetario body is the event as `GET /api/v1/events/{id}` shows it
MEETARIO_EVENTS = frozenset(
    {
        EventType.BOOKING_CREATED,
        EventType.BOOKING_CONFIRMED,
        EventType.BOOKING_CANCELLED,
        EventType.BOOKING_RESCHEDULED,
        EventType.BOOKING_COMPLETED,
        EventType.BOOKING_REQUESTED,
        EventType.BOOKING_DECLINED,
        EventType.BOOKING_REASSIGNED,
    }
)
#: Meetario's test delivery (`POST /api/v1/webhooks/{id}/test`)
MEETARIO_PING = "webhook.test"
#: Meetario spellings that differ from meetergo's beyond the dot
EVENT_ALIASES = {"booking_canceled": "booking_cancelled"}
#: every spelling a subscription may use (the API document's list)
SUBSCRIBABLE_NAMES = sorted(
    SUBSCRIBABLE
    | {name.replace("_", ".") for name in SUBSCRIBABLE}
    | {alias for name in EVENT_ALIASES for alias in (name, name.replace("_", "."))}
)


#: builds a Meetario body's fields (`data` and the change's details), asked for only when an
#: endpoint registered under /api/v1 listens
MeetarioFields = Callable[[], Awaitable[Mapping[str, Any]]]


def dotted(event_type: str) -> str:
    """Meetario's spelling of an event: `booking.created`."""
    return event_type.replace("_", ".")


async def emit(
    session: AsyncSession,
    company_id: CompanyId,
    event: EventType,
    payload: Mapping[str, Any],
    *,
    meetario: MeetarioFields | None = None,
) -> None:
    """Record `event` for the company's subscribed endpoints, in the caller's transaction.

    One event row per body format listened for, holding the body as it will be sent (meetergo's
    flat `payload`; Meetario's event from `meetario`), one pending delivery per active endpoint
    subscribed to the event, and a wake-up per delivery sent after commit. When no endpoint
    listens, nothing is stored.
    """
    subscribed = await EndpointRepository(session, company_id).subscribed(event.value)
    if not subscribed:
        return
    now = datetime.now(UTC)
    by_format: dict[PayloadFormat, list[uuid.UUID]] = {}
    for endpoint_id, payload_format in subscribed:
        by_format.setdefault(payload_format, []).append(endpoint_id)
    for payload_format, endpoint_ids in by_format.items():
        msg_id = new_msg_id()
        if payload_format is PayloadFormat.MEETARIO:
            if meetario is None:  # subscriptions are checked: only appointment events
                log.error("%s has no Meetario body; endpoints %s skipped", event, endpoint_ids)
                continue
            name = dotted(event.value)
            body = meetario_body(name, await meetario(), msg_id, now)
        else:
            name, body = event.value, event_body(event.value, payload, msg_id, now)
        event_id = uuid7()
        await EventRepository(session, company_id).insert(event_id, name, msg_id, body, now)
        deliveries = DeliveryRepository(session, company_id)
        for delivery_id in await deliveries.insert_pending(event_id, endpoint_ids, now):
            after_commit(session, deliver_wakeup(delivery_id, 1))


def new_msg_id() -> str:
    """Server-generated, time-ordered, never containing a dot."""
    return f"msg_{uuid7().hex}"


def event_body(
    event_type: str, payload: Mapping[str, Any], msg_id: str, occurred_at: datetime
) -> bytes:
    """meetergo's flat body: `webhookType`, the payload's fields, `eventId` and `occurredAt`.

    Serialized once; these exact bytes are stored, signed and sent on every attempt. A
    top-level `secret` (an appointment's cancel token) is never sent.
    """
    body: dict[str, Any] = {"webhookType": event_type}
    body |= {key: value for key, value in payload.items() if key not in ("secret", "webhookType")}
    body |= {"eventId": msg_id, "occurredAt": occurred_at}
    return msgspec.json.encode(body)


def meetario_body(
    event_type: str, fields: Mapping[str, Any], msg_id: str, occurred_at: datetime
) -> bytes:
    """Meetario's snake_case body: `event` (dotted), `event_id`, `occurred_at` (UTC, whole
    seconds, `Z`) and the event's fields, serialized once like meetergo's."""
    at = occurred_at.astimezone(UTC).replace(microsecond=0)
    body: dict[str, Any] = {"event": event_type, "event_id": msg_id, "occurred_at": at}
    return msgspec.json.encode(body | dict(fields))


def deliver_wakeup(delivery_id: uuid.UUID, attempt: int, *, again: bool = False) -> Wakeup:
    """The wake-up for one attempt; its job id makes duplicates of it a no-op in the queue.

    A repeated wake-up (`again`) gets an id of its own: the earlier job may sit in arq's queue
    marked in progress by a worker that died, and would block a job with the same id.
    """
    job_id = f"dlv:{delivery_id}:{attempt}"
    if again:
        job_id += f":{time.time_ns() // 1_000_000}"
    return Wakeup(DELIVER, (str(delivery_id),), job_id=job_id)
