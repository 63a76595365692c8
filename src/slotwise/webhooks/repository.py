"""Webhook queries: endpoints, events, deliveries and attempts of one company.

The worker's cross-tenant view of the outbox is `webhooks.queue`.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update

from slotwise.db.locks import lock
from slotwise.db.settled import UpdatedWindow
from slotwise.db.tenancy import TenantRepository
from slotwise.models import (
    DeliveryStatus,
    EndpointStatus,
    PayloadFormat,
    WebhookAttempt,
    WebhookAudit,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    uuid7,
)
from slotwise.webhooks.sender import Sent


class EndpointRepository(TenantRepository[WebhookEndpoint]):
    model = WebhookEndpoint
    not_found_message = "Webhook not found"

    async def all(
        self, updated: UpdatedWindow | None = None, limit: int | None = None
    ) -> list[WebhookEndpoint]:
        """Oldest first; when polling by `updated`, oldest change first past its cursor."""
        if updated is None:
            return await self.list(order_by=[WebhookEndpoint.created_at, WebhookEndpoint.id])
        return await self.list(
            *updated.where(WebhookEndpoint),
            order_by=[WebhookEndpoint.updated_at, WebhookEndpoint.id],
            limit=limit,
        )

    async def lock_company(self) -> None:
        """Serialise endpoint creation per company (the endpoint limit is checked under it)."""
        await lock(self.session, f"webhook_endpoint:{self.company_id}")

    async def subscribed(self, event_type: str) -> list[tuple[uuid.UUID, PayloadFormat]]:
        """Active endpoints subscribed to `event_type` and the body each takes, kept from being
        deleted until commit."""
        stmt = (
            select(WebhookEndpoint.id, WebhookEndpoint.payload_format)
            .where(
                self._scope,
                WebhookEndpoint.status == EndpointStatus.ACTIVE,
                WebhookEndpoint.event_types.any_() == event_type,
            )
            .order_by(WebhookEndpoint.id)
            .with_for_update(read=True, key_share=True)
        )
        return [(row[0], row[1]) for row in await self.session.execute(stmt)]

    async def count_success(self, endpoint_id: uuid.UUID, now: datetime) -> None:
        stmt = (
            update(WebhookEndpoint)
            .where(self._scope, WebhookEndpoint.id == endpoint_id)
            .values(
                success_count=WebhookEndpoint.success_count + 1,
                last_success_at=now,
                failing_since=None,
            )
        )
        await self.session.execute(stmt)

    async def count_failure(self, endpoint_id: uuid.UUID, now: datetime) -> datetime | None:
        """Count a failed attempt; returns since when every attempt has failed."""
        stmt = (
            update(WebhookEndpoint)
            .where(self._scope, WebhookEndpoint.id == endpoint_id)
            .values(
                failure_count=WebhookEndpoint.failure_count + 1,
                last_failure_at=now,
                failing_since=func.coalesce(WebhookEndpoint.failing_since, now),
            )
            .returning(WebhookEndpoint.failing_since)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def disable(self, endpoint_id: uuid.UUID) -> bool:
        """Active → disabled; False when it was not active (already off, or paused)."""
        stmt = (
            update(WebhookEndpoint)
            .where(
                self._scope,
                WebhookEndpoint.id == endpoint_id,
                WebhookEndpoint.status == EndpointStatus.ACTIVE,
            )
            .values(status=EndpointStatus.DISABLED)
            .returning(WebhookEndpoint.id)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).first() is not None


class EventRepository(TenantRepository[WebhookEvent]):
    model = WebhookEvent

    async def insert(
        self, event_id: uuid.UUID, event_type: str, msg_id: str, payload: bytes, now: datetime
    ) -> None:
        await self.session.execute(
            insert(WebhookEvent).values(
                id=event_id,
                company_id=self.company_id,
                type=event_type,
                msg_id=msg_id,
                payload=payload,
                occurred_at=now,
            )
        )


@dataclass(frozen=True)
class DeliveryRow:
    delivery: WebhookDelivery
    event_type: str
    msg_id: str


class DeliveryRepository(TenantRepository[WebhookDelivery]):
    model = WebhookDelivery
    not_found_message = "Delivery not found"

    async def insert_pending(
        self, event_id: uuid.UUID, endpoint_ids: Sequence[uuid.UUID], now: datetime
    ) -> list[uuid.UUID]:
        ids = [uuid7() for _ in endpoint_ids]
        if ids:
            await self.session.execute(
                insert(WebhookDelivery),
                [
                    {
                        "id": delivery_id,
                        "company_id": self.company_id,
                        "event_id": event_id,
                        "endpoint_id": endpoint_id,
                        "status": DeliveryStatus.PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                    }
                    for delivery_id, endpoint_id in zip(ids, endpoint_ids, strict=True)
                ],
            )
        return ids

    async def insert_sent(
        self, event_id: uuid.UUID, endpoint_id: uuid.UUID, sent: Sent
    ) -> uuid.UUID:
        """A delivery made in one attempt and never retried (the test ping)."""
        delivery_id = uuid7()
        await self.session.execute(
            insert(WebhookDelivery).values(
                id=delivery_id,
                company_id=self.company_id,
                event_id=event_id,
                endpoint_id=endpoint_id,
                status=DeliveryStatus.DELIVERED if sent.delivered else DeliveryStatus.FAILED,
                attempts=1,
                next_attempt_at=sent.started_at,
                last_attempt_at=sent.started_at,
                last_status_code=sent.status_code,
                last_error=sent.error,
                last_duration_ms=sent.duration_ms,
                delivered_at=sent.started_at if sent.delivered else None,
            )
        )
        return delivery_id

    async def rows(
        self,
        *where: Any,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[DeliveryRow]:
        stmt = (
            select(WebhookDelivery, WebhookEvent.type, WebhookEvent.msg_id)
            .join(
                WebhookEvent,
                and_(
                    WebhookEvent.company_id == WebhookDelivery.company_id,
                    WebhookEvent.id == WebhookDelivery.event_id,
                ),
            )
            .where(self._scope, *where)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .offset(offset)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        result = await self.session.execute(stmt)
        return [DeliveryRow(row[0], row[1], row[2]) for row in result.all()]

    async def finish(self, delivery_id: uuid.UUID, attempt: int, values: dict[str, Any]) -> bool:
        """Record an attempt's result, if the delivery is still this attempt's (no takeover)."""
        stmt = (
            update(WebhookDelivery)
            .where(
                self._scope,
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.DELIVERING,
                WebhookDelivery.attempts == attempt,
            )
            .values(locked_until=None, **values)
            .returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)
        )
        return (await self.session.execute(stmt)).first() is not None


class AttemptRepository(TenantRepository[WebhookAttempt]):
    model = WebhookAttempt

    async def record(self, delivery_id: uuid.UUID, attempt: int, sent: Sent) -> None:
        """One attempt as it went: when, how long, the answer or the error."""
        await self.session.execute(
            insert(WebhookAttempt).values(
                id=uuid7(),
                company_id=self.company_id,
                delivery_id=delivery_id,
                attempt=attempt,
                started_at=sent.started_at,
                duration_ms=sent.duration_ms,
                status_code=sent.status_code,
                error=sent.error,
                response_body=sent.response_head,
            )
        )

    async def of_delivery(self, delivery_id: uuid.UUID) -> list[WebhookAttempt]:
        return await self.list(
            WebhookAttempt.delivery_id == delivery_id, order_by=[WebhookAttempt.attempt]
        )


class AuditRepository(TenantRepository[WebhookAudit]):
    model = WebhookAudit

    async def of_endpoint(self, endpoint_id: uuid.UUID) -> list[WebhookAudit]:
        return await self.list(
            WebhookAudit.endpoint_id == endpoint_id, order_by=[WebhookAudit.created_at]
        )
