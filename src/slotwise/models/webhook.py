"""Webhook subscriptions and the transactional outbox: events, deliveries, attempts, audit.

An event row holds the body exactly as it is sent (serialized once); one delivery row per
subscribed endpoint carries the delivery state, and is the truth about what still has to be sent
and when. Every HTTP attempt leaves an attempt row.
"""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, validates

from slotwise.kit.sealing import is_sealed
from slotwise.models.base import NumberMixin, TenantModel, TimestampMixin


class EndpointStatus(enum.StrEnum):
    ACTIVE = "active"
    #: paused by the company
    INACTIVE = "inactive"
    #: switched off by slotwise (410 Gone, or every attempt failing for too long)
    DISABLED = "disabled"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    FAILED = "failed"
    #: the endpoint was not active when the delivery's turn came; it can be redelivered
    SKIPPED = "skipped"


class PayloadFormat(enum.StrEnum):
    """The dialect an endpoint was registered in, and so the body it receives."""

    #: meetergo's flat camelCase body (`/webhooks`, `/v4/webhooks`)
    MEETERGO = "meetergo"
    #: the Meetario sheet's snake_case event (`/api/v1/webhooks`)
    MEETARIO = "meetario"


def _values(enum_cls: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in enum_cls]


class WebhookEndpoint(NumberMixin, TimestampMixin, TenantModel):
    __tablename__ = "webhook_endpoint"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        CheckConstraint("timeout_seconds BETWEEN 1 AND 30", name="timeout_seconds_range"),
        CheckConstraint("max_retries BETWEEN 0 AND 10", name="max_retries_range"),
    )

    url: Mapped[str] = mapped_column(String(2048))
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    description: Mapped[str | None] = mapped_column(String(1000))
    name: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    timeout_seconds: Mapped[int] = mapped_column(default=30)
    max_retries: Mapped[int] = mapped_column(default=10)
    status: Mapped[EndpointStatus] = mapped_column(
        Enum(EndpointStatus, name="webhook_endpoint_status", values_callable=_values),
        default=EndpointStatus.ACTIVE,
    )
    #: `whsec_…`, sealed (`kit.sealing`): it must be readable to sign. Rows written before
    #: sealing may still hold it plain until `slotwise secrets rotate` seals them.
    secret: Mapped[str] = mapped_column(String(255))
    #: the secret before the last rotation, sealed too; it signs until
    #: `previous_secret_expires_at`
    previous_secret: Mapped[str | None] = mapped_column(String(255))
    previous_secret_expires_at: Mapped[datetime | None]
    success_count: Mapped[int] = mapped_column(default=0)
    failure_count: Mapped[int] = mapped_column(default=0)
    last_success_at: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]
    #: first failed attempt since the last success; the endpoint is disabled when it gets old
    failing_since: Mapped[datetime | None]
    payload_format: Mapped[PayloadFormat] = mapped_column(
        Enum(PayloadFormat, name="webhook_payload_format", values_callable=_values),
        default=PayloadFormat.MEETERGO,
        server_default=PayloadFormat.MEETERGO.value,
    )
    #: off only where private networks are allowed (development): a self-signed local server
    verify_ssl: Mapped[bool] = mapped_column(default=True, server_default=text("true"))

    @validates("secret", "previous_secret")
    def _sealed_only(self, name: str, value: str | None) -> str | None:
        """No code path may write a signing secret in clear (legacy rows are only read)."""
        if value is not None and not is_sealed(value):
            raise ValueError(f"webhook_endpoint.{name}: only a sealed secret may be stored")
        return value


class WebhookEvent(TenantModel):
    __tablename__ = "webhook_event"
    __table_args__ = (
        # unique platform-wide anyway (a UUIDv7 inside); unique per company is what a table
        # distributed by company can enforce, and what a receiver deduplicating per sender needs
        UniqueConstraint("company_id", "msg_id"),
        #: the retention job's: old events whose deliveries are all gone
        Index("ix_webhook_event_occurred_at", "occurred_at"),
    )

    type: Mapped[str] = mapped_column(String(64))
    #: the exact bytes every attempt sends and signs
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    #: `msg_<hex>`: the webhook-id header, the same across retries
    msg_id: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime]


class WebhookDelivery(NumberMixin, TimestampMixin, TenantModel):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        ForeignKeyConstraint(
            ["company_id", "event_id"],
            ["webhook_event.company_id", "webhook_event.id"],
            name="fk_webhook_delivery_event",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "endpoint_id"],
            ["webhook_endpoint.company_id", "webhook_endpoint.id"],
            name="fk_webhook_delivery_endpoint",
            ondelete="CASCADE",
        ),
        Index(
            "ix_webhook_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index(
            "ix_webhook_delivery_lease",
            "locked_until",
            postgresql_where=text("status = 'delivering'"),
        ),
        Index("ix_webhook_delivery_endpoint_created", "endpoint_id", "created_at"),
        #: the retention job's: finished deliveries by when they finished
        Index(
            "ix_webhook_delivery_finished",
            "updated_at",
            postgresql_where=text("status IN ('delivered', 'failed')"),
        ),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(index=True)
    endpoint_id: Mapped[uuid.UUID]
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, name="webhook_delivery_status", values_callable=_values),
        default=DeliveryStatus.PENDING,
    )
    #: attempts started so far (the number of the attempt in flight while delivering)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    #: while delivering: when another worker may take the delivery over (this one died);
    #: while pending: when the relay may send another wake-up for it
    locked_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(40))
    last_duration_ms: Mapped[int | None]
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(TenantModel):
    __tablename__ = "webhook_attempt"
    __table_args__ = (
        UniqueConstraint("company_id", "delivery_id", "attempt"),
        ForeignKeyConstraint(
            ["company_id", "delivery_id"],
            ["webhook_delivery.company_id", "webhook_delivery.id"],
            name="fk_webhook_attempt_delivery",
            ondelete="CASCADE",
        ),
    )

    delivery_id: Mapped[uuid.UUID]
    attempt: Mapped[int]
    started_at: Mapped[datetime]
    duration_ms: Mapped[int]
    status_code: Mapped[int | None]
    #: error class: timeout, connect, dns, tls, blocked_address, redirect, http_status, …
    error: Mapped[str | None] = mapped_column(String(40))
    #: the first 2 kB of the response body, for the log
    response_body: Mapped[str | None] = mapped_column(Text)


class WebhookAudit(TenantModel):
    """Operational records about endpoints, such as `webhook_disabled`.

    No foreign key to the endpoint: the record outlives a deleted endpoint.
    """

    __tablename__ = "webhook_audit"

    endpoint_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime]
