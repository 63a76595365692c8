"""The worker's mail queue: the one cross-tenant part of notifications.

The relay and the send job find rows by id or due time, whatever their company, and take the
company off the row for everything else (declared cross-tenant for the tenancy lint).
"""

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.leases import Due, Outbox
from slotwise.models import Notification, NotificationStatus

MAILS = Outbox(Notification, NotificationStatus.QUEUED, NotificationStatus.SENDING)


class MailQueue:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self, notification_id: uuid.UUID) -> Notification | None:
        stmt = (
            select(Notification)
            .where(Notification.id == notification_id)
            .execution_options(populate_existing=True)
        )
        found: Notification | None = (await self.session.scalars(stmt)).one_or_none()
        return found

    async def claim(
        self, notification_id: uuid.UUID, now: datetime, lease_until: datetime
    ) -> int | None:
        return await MAILS.claim(self.session, notification_id, now, lease_until)

    async def release(self, notification_id: uuid.UUID, attempt: int) -> bool:
        """Give back a send this worker could not finish (it is stopping)."""
        return await MAILS.release(self.session, notification_id, attempt)

    async def skip(self, notification_id: uuid.UUID, now: datetime) -> bool:
        """No mail server: the due mail is recorded as skipped (and forgets its secret)."""
        if not await MAILS.set_aside(
            self.session, notification_id, now, NotificationStatus.SKIPPED
        ):
            return False
        await self._forget_secret(notification_id)
        return True

    async def due(self, now: datetime, wake_until: datetime, limit: int) -> list[Due]:
        return await MAILS.due(self.session, now, wake_until, limit)

    async def finish(
        self,
        notification_id: uuid.UUID,
        attempt: int,
        status: NotificationStatus,
        *,
        now: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        """Record how attempt `attempt` went, if the row is still that attempt's (a worker that
        lost its lease records nothing). A final status forgets the attendee's secret."""
        values: dict[str, object] = {"status": status, "error": error, "locked_until": None}
        if status is NotificationStatus.SENT:
            values["sent_at"] = now
        if retry_at is not None:
            values["next_attempt_at"] = retry_at
        stmt = (
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.status == NotificationStatus.SENDING,
                Notification.attempts == attempt,
            )
            .values(**values)
            .returning(Notification.id)
            .execution_options(synchronize_session=False)
        )
        if (await self.session.execute(stmt)).first() is None:
            return False
        if status is not NotificationStatus.QUEUED:
            await self._forget_secret(notification_id)
        return True

    async def _forget_secret(self, notification_id: uuid.UUID) -> None:
        stmt = (
            update(Notification)
            .where(Notification.id == notification_id)
            .values(context=Notification.context.op("-")("secret"))
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(stmt)
