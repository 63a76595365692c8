"""The worker's delivery queue: the one cross-tenant part of webhooks.

The relay and the delivery job find rows by id or by due time, whatever their company, and take
the company off the row for everything else (declared cross-tenant for the tenancy lint).
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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


@dataclass(frozen=True)
class Due:
    delivery_id: uuid.UUID
    #: the number the next attempt will have
    attempt: int
    #: woken before (or left by a worker that died): an earlier wake-up for this attempt may
    #: be stuck with that worker, so this one must not be mistaken for a duplicate of it
    again: bool


def _claimable(now: datetime) -> Any:
    """Due and not held by a live worker (a pending row's wake-up lease does not matter)."""
    return and_(
        WebhookDelivery.next_attempt_at <= now,
        or_(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            and_(
                WebhookDelivery.status == DeliveryStatus.DELIVERING,
                WebhookDelivery.locked_until < now,
            ),
        ),
    )


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
        stmt = (
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, _claimable(now))
            .values(
                status=DeliveryStatus.DELIVERING,
                attempts=WebhookDelivery.attempts + 1,
                locked_until=lease_until,
                last_attempt_at=now,
            )
            .returning(WebhookDelivery.attempts)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def skip(self, delivery_id: uuid.UUID, now: datetime) -> bool:
        """A due delivery whose endpoint is not active is set aside (it can be redelivered)."""
        stmt = (
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, _claimable(now))
            .values(status=DeliveryStatus.SKIPPED, locked_until=None)
            .returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def due(self, now: datetime, wake_until: datetime, limit: int) -> list[Due]:
        """Due deliveries no live worker holds and no recent wake-up covers, marked as woken.

        Deliveries whose worker died (lease over) go back to pending. Concurrent relays skip
        each other's rows.
        """
        due = (
            select(WebhookDelivery.id, WebhookDelivery.locked_until)
            .where(
                WebhookDelivery.next_attempt_at <= now,
                or_(
                    and_(
                        WebhookDelivery.status == DeliveryStatus.PENDING,
                        or_(
                            WebhookDelivery.locked_until.is_(None),
                            WebhookDelivery.locked_until < now,
                        ),
                    ),
                    and_(
                        WebhookDelivery.status == DeliveryStatus.DELIVERING,
                        WebhookDelivery.locked_until < now,
                    ),
                ),
            )
            .order_by(WebhookDelivery.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")
        )
        stmt = (
            update(WebhookDelivery)
            .where(WebhookDelivery.id == due.c.id)
            .values(status=DeliveryStatus.PENDING, locked_until=wake_until)
            .returning(WebhookDelivery.id, WebhookDelivery.attempts, due.c.locked_until)
            .execution_options(synchronize_session=False)
        )
        rows = (await self.session.execute(stmt)).all()
        return [Due(row[0], row[1] + 1, row[2] is not None) for row in rows]
