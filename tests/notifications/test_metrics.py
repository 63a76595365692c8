"""Mails handled by the worker are counted by outcome."""

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.mails.jobs import Mailer
from slotwise.models import NotificationStatus
from slotwise.settings import Settings
from tests.support.bookings import at, book, fetch, make_type
from tests.support.factories import Side
from tests.support.metrics import local
from tests.support.smtp_server import Inbox, free_port

MAILS = "slotwise_mail_deliveries_total"


async def test_sends_are_counted_by_outcome(
    client: AsyncTestClient[Litestar],
    side_a: Side,
    settings: Settings,
    inbox: Inbox,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    before = {outcome: local(MAILS, outcome=outcome) for outcome in ("sent", "retry", "skipped")}
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(15), skipNotifications=True)
    (row,) = await fetch(
        settings,
        "SELECT id FROM notification WHERE appointment_id = $1",
        uuid.UUID(created["appointmentId"]),
    )
    later = datetime.now(UTC) + timedelta(minutes=1)
    down = msgspec.structs.replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    assert await Mailer(sessions, down).send(row["id"]) == NotificationStatus.QUEUED
    up = msgspec.structs.replace(settings, smtp_url=inbox.url)
    assert await Mailer(sessions, up, clock=lambda: later).send(row["id"]) == (
        NotificationStatus.SENT
    )
    assert local(MAILS, outcome="retry") - before["retry"] == 1
    assert local(MAILS, outcome="sent") - before["sent"] == 1
    assert local(MAILS, outcome="skipped") == before["skipped"]
