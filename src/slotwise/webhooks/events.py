"""Event types and the single place that records an event for webhook delivery.

Every change that partners hear about calls `emit` inside the transaction of the change: the
event and its delivery rows are written in that same transaction (the transactional outbox), so a
rolled-back change never produces an event and a committed one is never lost.
"""

import enum
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.tenancy import CompanyId
from slotwise.jobs import Wakeup, after_commit
from slotwise.models import uuid7
from slotwise.webhooks.repository import DeliveryRepository, EndpointRepository, EventRepository

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
    NEW_EMPLOYEE = "new_employee"


#: meetergo's events for features slotwise does not have (forms, reviews, signatures) or not
#: yet (calendar credentials): a subscription may name them, nothing sends them
ACCEPTED_ONLY = frozenset(
    {
        "form_submission",
        "credential_error",
        "review_submitted",
        "review_published",
        "signature_completed",
    }
)
SUBSCRIBABLE = frozenset(member.value for member in EventType) | ACCEPTED_ONLY
#: Meetario spellings that differ from meetergo's beyond the dot
EVENT_ALIASES = {"booking_canceled": "booking_cancelled"}
#: every spelling a subscription may use (the API document's list)
SUBSCRIBABLE_NAMES = sorted(
    SUBSCRIBABLE
    | {name.replace("_", ".") for name in SUBSCRIBABLE}
    | {alias for name in EVENT_ALIASES for alias in (name, name.replace("_", "."))}
)


async def emit(
    session: AsyncSession, company_id: CompanyId, event: EventType, payload: Mapping[str, Any]
) -> None:
    """Record `event` for the company's subscribed endpoints, in the caller's transaction.

    One event row holding the body as it will be sent, one pending delivery per active endpoint
    subscribed to the event, and a wake-up per delivery sent after commit. When no endpoint
    listens, nothing is stored.
    """
    endpoint_ids = await EndpointRepository(session, company_id).subscribed(event.value)
    if not endpoint_ids:
        return
    now = datetime.now(UTC)
    msg_id, event_id = new_msg_id(), uuid7()
    body = event_body(event.value, payload, msg_id, now)
    await EventRepository(session, company_id).insert(event_id, event.value, msg_id, body, now)
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


def deliver_wakeup(delivery_id: uuid.UUID, attempt: int, *, again: bool = False) -> Wakeup:
    """The wake-up for one attempt; its job id makes duplicates of it a no-op in the queue.

    A repeated wake-up (`again`) gets an id of its own: the earlier job may sit in arq's queue
    marked in progress by a worker that died, and would block a job with the same id.
    """
    job_id = f"dlv:{delivery_id}:{attempt}"
    if again:
        job_id += f":{time.time_ns() // 1_000_000}"
    return Wakeup(DELIVER, (str(delivery_id),), job_id=job_id)
