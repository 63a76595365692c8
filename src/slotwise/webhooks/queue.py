"""The worker's delivery queue: the one cross-tenant part of webhooks.

The relay and the delivery job find rows by id or by due time, whatever their company, and take
the company off the row for everything else (declared cross-tenant for the tenancy lint).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.leases import Due, Outbox
from slotwise.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)


@dataclass(frozen=True)
class QueuedDelivery:
    """A delivery with its endpoint and event, as the worker reads it before claiming."""

    delivery: WebhookDelivery
    endpoint: WebhookEndpoint
    event: WebhookEvent


DELIVERIES = Outbox(WebhookDelivery, DeliveryStatus.PENDING, DeliveryStatus.DELIVERING)


class DeliveryQueue:
    """The worker's view of the outbox, across companies."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, delivery_id: uuid.UUID) -> QueuedDelivery | None:
        stmt = (
            select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
            .join(
                WebhookEndpoint,
                and_(
                    WebhookEndpoint.company_id == WebhookDelivery.company_id,
                    WebhookEndpoint.id == WebhookDelivery.endpoint_id,
                ),
            )
            .join(
                WebhookEvent,
                and_(
                    WebhookEvent.company_id == WebhookDelivery.company_id,
                    WebhookEvent.id == WebhookDelivery.event_id,
                ),
            )
            .where(WebhookDelivery.id == delivery_id)
            .execution_options(populate_existing=True)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else QueuedDelivery(row[0], row[1], row[2])

    async def claim(
        self, delivery_id: uuid.UUID, now: datetime, lease_until: datetime
    ) -> int | None:
        """Take the next attempt of a due delivery; its number, or None when someone else has
        it or it is not due. Exactly one caller wins an attempt."""
        return await DELIVERIES.claim(
            self.session, delivery_id, now, lease_until, last_attempt_at=now
        )

    async def release(self, delivery_id: uuid.UUID, attempt: int) -> bool:
        """Give back an attempt this worker could not finish (it is stopping)."""
        return await DELIVERIES.release(self.session, delivery_id, attempt)

    async def skip(self, delivery_id: uuid.UUID, now: datetime) -> bool:
        """A due delivery whose endpoint is not active is set aside (it can be redelivered)."""
        return await DELIVERIES.set_aside(self.session, delivery_id, now, DeliveryStatus.SKIPPED)

    async def due(self, now: datetime, wake_until: datetime, limit: int) -> list[Due]:
        """Due deliveries no live worker holds and no recent wake-up covers, marked as woken."""
        return await DELIVERIES.due(self.session, now, wake_until, limit)
