"""Event types and the single place that records an event for webhook delivery.

Every change that partners hear about calls `emit` inside the transaction of the change: the
event and its delivery rows are written in that same transaction (the transactional outbox), so a
rolled-back change never produces an event and a committed one is never lost.
"""

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.tenancy import CompanyId
from slotwise.jobs import after_commit
from slotwise.models import uuid7
from slotwise.webhooks.jobs import deliver_wakeup
from slotwise.webhooks.repository import DeliveryRepository, EndpointRepository, EventRepository
from slotwise.webhooks.schemas import event_body, new_msg_id


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
