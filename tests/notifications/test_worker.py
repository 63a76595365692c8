"""Mails through the real worker process: sent right after commit, reminders at their time,
and a worker killed mid-send does not make two different mails."""

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.bookings import at, book, fetch, make_type
from tests.support.factories import Side
from tests.support.smtp_server import Inbox
from tests.support.worker_process import running_worker

Client = AsyncTestClient[Litestar]


@pytest.fixture
def settings(settings: Settings, inbox: Inbox) -> Settings:
    return msgspec.structs.replace(
        settings, smtp_url=inbox.url, webhook_relay_seconds=1, mail_lease_seconds=3
    )


async def about(settings: Settings, appointment_id: str, inbox: Inbox) -> list[EmailMessage]:
    """The messages about one appointment (the test companies' own bookings send mail too)."""
    rows = await fetch(
        settings,
        "SELECT id FROM notification WHERE appointment_id = $1",
        uuid.UUID(appointment_id),
    )
    ids = {str(row["id"]) for row in rows}
    return [m for m in inbox.messages() if str(m["Message-ID"]).strip("<>").split("@")[0] in ids]


async def wait_about(
    settings: Settings, appointment_id: str, inbox: Inbox, count: int, within: float = 15
) -> list[EmailMessage]:
    deadline = time.monotonic() + within
    while True:
        found = await about(settings, appointment_id, inbox)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


async def statuses(settings: Settings, appointment_id: str) -> dict[str, str]:
    rows = await fetch(
        settings,
        "SELECT kind::text, status::text FROM notification WHERE appointment_id = $1",
        uuid.UUID(appointment_id),
    )
    return {row["kind"]: row["status"] for row in rows}


async def test_mails_go_out_right_after_the_booking(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox
) -> None:
    meeting_type = await make_type(client, side_a)
    with running_worker(settings) as worker:
        started = time.monotonic()
        created = await book(client, side_a, meeting_type, at(10))
        messages = await wait_about(settings, created["appointmentId"], inbox, 2)
        took = time.monotonic() - started
        assert len(messages) == 2, worker.output()
    assert took < 5


async def test_a_reminder_arrives_once_at_its_time(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox
) -> None:
    meeting_type = await make_type(client, side_a, reminders=[1])
    start = (datetime.now(UTC) + timedelta(seconds=66)).replace(microsecond=0)
    created = await book(
        client, side_a, meeting_type, start, ignoreAvailability=True, skipNotifications=False
    )
    due = start - timedelta(minutes=1)
    appointment_id = created["appointmentId"]
    with running_worker(settings) as worker:
        assert len(await wait_about(settings, appointment_id, inbox, 2)) == 2, worker.output()
        reminders = await wait_about(settings, appointment_id, inbox, 3, within=30)
        arrived = datetime.now(UTC)
        assert len(reminders) == 3, worker.output()
        await asyncio.sleep(3)  # the relay runs every second: nothing more comes
    assert due <= arrived < due + timedelta(seconds=10)
    assert len(await about(settings, appointment_id, inbox)) == 3
    assert (await statuses(settings, created["appointmentId"]))["booking_reminder"] == "sent"


async def test_a_worker_killed_mid_send_sends_one_message(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox
) -> None:
    meeting_type = await make_type(client, side_a)
    inbox.delay = 2.0  # the server takes the message, then is slow to answer
    created = await book(client, side_a, meeting_type, at(11), skipNotifications=True)
    appointment_id = created["appointmentId"]
    with running_worker(settings) as worker:
        assert len(await wait_about(settings, appointment_id, inbox, 1)) == 1, worker.output()
        worker.kill()  # before the server's answer: the worker never learns it was sent
    inbox.delay = 0.0
    with running_worker(settings):
        deadline = time.monotonic() + 20
        while (await statuses(settings, created["appointmentId"])).get(
            "host_booking_created"
        ) != "sent":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.2)
    messages = await about(settings, appointment_id, inbox)
    # the server may hold the same message twice; it is one message: one Message-ID
    assert len({m["Message-ID"] for m in messages}) == 1
    assert 1 <= len(messages) <= 2


async def test_a_worker_killed_while_the_server_stalls_is_replaced_and_sends_once(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox
) -> None:
    meeting_type = await make_type(client, side_a)
    inbox.stall = 30.0  # the server holds the worker on DATA and has taken nothing
    created = await book(client, side_a, meeting_type, at(12), skipNotifications=True)
    appointment_id = created["appointmentId"]
    with running_worker(settings) as worker:
        deadline = time.monotonic() + 15
        while (await statuses(settings, appointment_id)).get("host_booking_created") != "sending":
            assert time.monotonic() < deadline, worker.output()
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # inside the SMTP conversation
        worker.kill()
    assert await about(settings, appointment_id, inbox) == []
    inbox.stall = 0.0
    with running_worker(settings):  # takes the mail up once its lease (3 s) has run out
        deadline = time.monotonic() + 20
        while (await statuses(settings, appointment_id)).get("host_booking_created") != "sent":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.2)
    messages = await about(settings, appointment_id, inbox)
    assert len(messages) == 1


async def test_two_workers_send_each_mail_once(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox
) -> None:
    meeting_type = await make_type(client, side_a)
    booked = [await book(client, side_a, meeting_type, at(9 + n)) for n in range(6)]
    with running_worker(settings), running_worker(settings):
        for created in booked:
            assert len(await wait_about(settings, created["appointmentId"], inbox, 2)) == 2
        await asyncio.sleep(2)  # a second copy would have come by now
    for created in booked:
        messages = await about(settings, created["appointmentId"], inbox)
        ids = [m["Message-ID"] for m in messages]
        assert len(ids) == len(set(ids)) == 2
        state = await statuses(settings, created["appointmentId"])
        assert state["booking_confirmed"] == state["host_booking_created"] == "sent"
