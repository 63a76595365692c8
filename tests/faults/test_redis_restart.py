"""Redis restarted under the app and the worker: its own redis-server, with an append-only file
as in production. Bookings go on while it is down; the worker process does not die with the
connection, starts again once Redis answers, and the relay then delivers every webhook and mail
the outage queued (they wait in PostgreSQL, not in Redis)."""

import asyncio
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import msgspec
import pytest
import redis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.cli.dev import _wheel_file
from slotwise.jobs import HEARTBEAT_KEY
from slotwise.settings import Settings
from tests.support.bookings import at, book, fetch, make_type, monday
from tests.support.factories import Side, make_webhook
from tests.support.servers import free_port
from tests.support.smtp_server import Inbox, running_smtp
from tests.support.webhook_receiver import Receiver, Reply, running_receiver
from tests.support.worker_process import running_worker

pytestmark = pytest.mark.slow

REDIS_SERVER = str(_wheel_file("REDIS_URL"))


class RedisServer:
    """redis-server on a fixed port with an append-only file, to stop and start again."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                self.folder,
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory(prefix="slotwise-redis-") as folder:
        server = RedisServer(folder)
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with running_smtp() as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def settings(settings: Settings, own_redis: RedisServer, inbox: Inbox) -> Settings:
    """The app, the worker and the test all use the Redis this test restarts."""
    return msgspec.structs.replace(
        settings,
        redis_url=own_redis.url,
        smtp_url=inbox.url,
        webhook_allow_private_networks=True,
        webhook_relay_seconds=1,
        mail_lease_seconds=3,
    )


def test_the_worker_outlives_a_redis_restart(settings: Settings, own_redis: RedisServer) -> None:
    with running_worker(settings) as worker:
        own_redis.stop()
        time.sleep(1.5)
        assert worker.proc.poll() is None, worker.output()
        own_redis.start()
        client = redis.Redis.from_url(own_redis.url)
        client.delete(HEARTBEAT_KEY)  # kept across the restart by the append-only file
        deadline = time.monotonic() + 15
        while not client.exists(HEARTBEAT_KEY):  # written again when the worker starts
            assert worker.proc.poll() is None, worker.output()
            assert time.monotonic() < deadline, worker.output()
            time.sleep(0.1)
        client.close()


@dataclass(frozen=True)
class Progress:
    hooks: int
    hooks_delivered: int
    mails: int
    mails_sent: int

    @property
    def finished(self) -> bool:
        return self.hooks == self.hooks_delivered and self.mails == self.mails_sent


async def _progress(settings: Settings, endpoint_id: uuid.UUID, ids: list[str]) -> Progress:
    """How many of the endpoint's deliveries and of the appointments' mails due by now (not
    their reminders) exist and are done."""
    hooks = await fetch(
        settings,
        "SELECT status::text AS s FROM webhook_delivery WHERE endpoint_id = $1",
        endpoint_id,
    )
    mails = await fetch(
        settings,
        "SELECT status::text AS s FROM notification"
        " WHERE appointment_id = ANY($1::uuid[]) AND next_attempt_at <= now()",
        [uuid.UUID(i) for i in ids],
    )
    return Progress(
        hooks=len(hooks),
        hooks_delivered=sum(row["s"] == "delivered" for row in hooks),
        mails=len(mails),
        mails_sent=sum(row["s"] == "sent" for row in mails),
    )


async def test_webhooks_and_mails_queued_while_redis_is_down_arrive_after_it_returns(
    client: AsyncTestClient[Litestar],
    *,
    side_a: Side,
    settings: Settings,
    own_redis: RedisServer,
    receiver: Receiver,
    inbox: Inbox,
) -> None:
    meeting_type = await make_type(client, side_a)
    endpoint = await make_webhook(
        settings, side_a.tenant, url=receiver.url("/hook"), event_types=("booking_created",)
    )
    receiver.plan("/hook", Reply(delay=2.0), Reply())
    with running_worker(settings) as worker:
        first = await book(client, side_a, meeting_type, at(14))
        await asyncio.sleep(1.0)  # its delivery is in flight when Redis goes
        own_redis.stop()
        starts = [at(9 + n % 8, day=monday(3) + timedelta(days=n // 8)) for n in range(24)]
        booked = [first] + [await book(client, side_a, meeting_type, start) for start in starts]
        ids = [created["appointmentId"] for created in booked]
        await asyncio.sleep(2)  # nothing can be woken while Redis is away
        own_redis.start()
        deadline = time.monotonic() + 30
        while not (progress := await _progress(settings, endpoint.id, ids)).finished:
            assert time.monotonic() < deadline, (progress, worker.output())
            await asyncio.sleep(0.2)
    assert progress.hooks == len(ids)
    assert progress.mails >= 2 * len(ids)  # the invitee's confirmation and the host's notice
    hooks = receiver.on("/hook")
    assert {msgspec.json.decode(r.body)["id"] for r in hooks} == set(ids)
    # one event per booking: a repeat, if any, is the same message under the same id
    assert len({r.headers["webhook-id"] for r in hooks}) == len(ids)
    sent = await fetch(
        settings,
        "SELECT id::text FROM notification WHERE appointment_id = ANY($1::uuid[])"
        " AND status = 'sent'",
        [uuid.UUID(i) for i in ids],
    )
    message_ids = {str(m["Message-ID"]).strip("<>").split("@")[0] for m in inbox.messages()}
    assert len(sent) == progress.mails
    assert {row["id"] for row in sent} <= message_ids
