"""Mail jobs: `notifications.send` sends one notification, `notifications.relay` wakes due ones.

A send claims the row with a lease in one short transaction, builds the message in another,
talks to the SMTP server with no connection held, and records the outcome only if it still
holds the lease. A worker that dies mid-send leaves the row to be taken over when the lease
runs out; the message then goes again with the same Message-ID (a worker stopped mid-send
gives the row back at once instead). Without an SMTP server every
due mail is recorded as skipped. Reminders are due rows like any other: the relay finds them.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.db.leases import give_back
from slotwise.jobs import enqueue
from slotwise.kit.metrics import MAIL_DELIVERIES
from slotwise.kit.smtp import SmtpServer, parse_smtp_url
from slotwise.mails.build import MailBuilder
from slotwise.models import Notification, NotificationStatus
from slotwise.notifications import smtp
from slotwise.notifications.outbox import send_wakeup
from slotwise.notifications.queue import MailQueue
from slotwise.notifications.retry import retry_delay
from slotwise.settings import Settings

RELAY = "notifications.relay"
#: how each result is counted in the metrics (`slotwise_mail_deliveries_total`)
OUTCOME_LABELS = {
    NotificationStatus.SENT: "sent",
    NotificationStatus.QUEUED: "retry",
    NotificationStatus.FAILED: "failed",
    NotificationStatus.SKIPPED: "skipped",
}
#: a relay's wake-up covers a row this long before the next relay wakes it again
WAKE_COVER = timedelta(seconds=30)
#: an arq slot for one send: building the message and the SMTP conversation
SEND_TIMEOUT_SECONDS = int(smtp.TIMEOUT_SECONDS * 2)

log = logging.getLogger("slotwise.mails")


class Mailer:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.server: SmtpServer | None = (
            parse_smtp_url(settings.smtp_url) if settings.smtp_url else None
        )
        self.clock = clock
        self.lease = timedelta(seconds=settings.mail_lease_seconds)

    async def send(self, notification_id: uuid.UUID) -> NotificationStatus | None:
        """Send one due notification; its new status, or None when it was not this worker's."""
        now, server = self.clock(), self.server
        async with self.sessions() as session, session.begin():
            queue = MailQueue(session)
            if server is None:
                if not await queue.skip(notification_id, now):
                    return None
                MAIL_DELIVERIES.labels(OUTCOME_LABELS[NotificationStatus.SKIPPED]).inc()
                return NotificationStatus.SKIPPED
            attempt = await queue.claim(notification_id, now, now + self.lease)
            row = await queue.load(notification_id) if attempt is not None else None
        if attempt is None or row is None:
            return None
        try:
            status, error, recorded = await self._send(row, attempt, server)
        except asyncio.CancelledError:
            # the worker is stopping before the send was recorded: another worker sends it now
            # rather than after the lease (the server may get it twice, same Message-ID)
            await give_back(self.sessions, lambda s: MailQueue(s).release(notification_id, attempt))
            raise
        if error is not None:
            log.warning("mail %s attempt %d: %s", notification_id, attempt, error)
        if not recorded:
            return None
        MAIL_DELIVERIES.labels(OUTCOME_LABELS[status]).inc()
        return status

    async def _send(
        self, row: Notification, attempt: int, server: SmtpServer
    ) -> tuple[NotificationStatus, str | None, bool]:
        """Build, send and record a claimed notification: its status, error, and whether it
        was recorded (the lease still held)."""
        async with self.sessions() as session:
            message = await MailBuilder(session, self.settings).build(row)
        status, error, retry_at = NotificationStatus.SENT, None, None
        if message is None:
            status, error = NotificationStatus.FAILED, "The appointment no longer exists"
        else:
            try:
                await smtp.send(message, server)
            except smtp.MailNotSent as exc:
                status, error, retry_at = self._after_failure(exc, attempt)
        async with self.sessions() as session, session.begin():
            recorded = await MailQueue(session).finish(
                row.id, attempt, status, now=self.clock(), error=error, retry_at=retry_at
            )
        return status, error, recorded

    def _after_failure(
        self, exc: smtp.MailNotSent, attempt: int
    ) -> tuple[NotificationStatus, str, datetime | None]:
        detail = str(exc)[:500]
        delay = None if exc.permanent else retry_delay(attempt)
        if delay is None:
            return NotificationStatus.FAILED, detail, None
        return NotificationStatus.QUEUED, detail, self.clock() + delay


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    ctx["mailer"] = Mailer(ctx["sessionmaker"], settings)


async def send(ctx: dict[str, Any], notification_id: str) -> str | None:
    """Send one notification, if it is due and nobody else has it."""
    mailer: Mailer = ctx["mailer"]
    status = await mailer.send(uuid.UUID(notification_id))
    return None if status is None else status.value


async def relay(ctx: dict[str, Any]) -> int:
    """Wake every due mail no live worker holds (reminders, retries, lost wake-ups)."""
    mailer: Mailer = ctx["mailer"]
    now = mailer.clock()
    async with mailer.sessions() as session, session.begin():
        due = await MailQueue(session).due(now, now + WAKE_COVER, 500)
    for row in due:
        await enqueue(ctx["redis"], send_wakeup(row.row_id, row.attempt, again=row.again))
    return len(due)
