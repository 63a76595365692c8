"""Rows kept only for a while are deleted once their time is up, in small batches, so no table
grows without bound (a periodic worker job).

Cross-tenant by nature (declared to the tenancy lint): it reads nothing of any company, it
only drops what has expired for every company alike.
"""

from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.models import (
    AuditEntry,
    ChangeLogEntry,
    DeliveryStatus,
    IdempotencyRecord,
    Notification,
    NotificationStatus,
    TenantModel,
    WebhookDelivery,
    WebhookEvent,
)

#: rows deleted per statement: short transactions, no long lock on the table
BATCH = 1000


async def purge_expired_replays(session: AsyncSession, now: datetime, batch: int = BATCH) -> int:
    """Delete up to `batch` stored answers whose 24 hours have passed; how many went."""
    return await _purge(session, IdempotencyRecord, IdempotencyRecord.expires_at <= now, batch)


async def _purge(
    session: AsyncSession, model: type[TenantModel], where: ColumnElement[bool], batch: int
) -> int:
    doomed = select(model.id).where(where).limit(batch).scalar_subquery()
    result = await session.execute(delete(model).where(model.id.in_(doomed)))
    return int(getattr(result, "rowcount", 0) or 0)


async def purge_webhook_deliveries(
    session: AsyncSession, before: datetime, batch: int = BATCH
) -> int:
    """Delete up to `batch` deliveries finished (delivered or given up) before `before`; their
    attempts go with them. Pending, retrying and skipped ones stay."""
    finished = WebhookDelivery.status.in_([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED])
    return await _purge(
        session, WebhookDelivery, finished & (WebhookDelivery.updated_at < before), batch
    )


async def purge_webhook_events(session: AsyncSession, before: datetime, batch: int = BATCH) -> int:
    """Delete up to `batch` events that occurred before `before` and have no delivery left (the
    deliveries were purged): their payloads hold attendee data nothing will send again."""
    delivered = exists().where(
        WebhookDelivery.company_id == WebhookEvent.company_id,
        WebhookDelivery.event_id == WebhookEvent.id,
    )
    return await _purge(
        session, WebhookEvent, (WebhookEvent.occurred_at < before) & ~delivered, batch
    )


async def purge_notifications(session: AsyncSession, before: datetime, batch: int = BATCH) -> int:
    """Delete up to `batch` mails finished (sent, failed, skipped) before `before`."""
    finished = Notification.status.in_(
        [NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.SKIPPED]
    )
    return await _purge(session, Notification, finished & (Notification.updated_at < before), batch)


async def purge_audit_log(session: AsyncSession, before: datetime, batch: int = BATCH) -> int:
    """Delete up to `batch` audit entries older than `before`: the one deletion the audit log
    allows, declared for this transaction only."""
    await session.execute(text("SET LOCAL slotwise.audit_purge = 'on'"))
    return await _purge(session, AuditEntry, AuditEntry.created_at < before, batch)


async def purge_change_log(session: AsyncSession, before: datetime, batch: int = BATCH) -> int:
    """Delete up to `batch` change log rows written before `before` (a cursor older than that
    reads on from the oldest row kept)."""
    doomed = (
        select(ChangeLogEntry.company_id, ChangeLogEntry.seq)
        .where(ChangeLogEntry.changed_at < before)
        .limit(batch)
    )
    result = await session.execute(
        delete(ChangeLogEntry).where(
            tuple_(ChangeLogEntry.company_id, ChangeLogEntry.seq).in_(doomed)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
