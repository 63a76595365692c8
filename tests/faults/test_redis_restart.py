"""Redis restarted under the worker: its own redis-server, with an append-only file as in
production. The worker process does not die with the connection; it starts again once Redis
answers (the relay then wakes what the outage lost)."""

import subprocess
import tempfile
import time
from collections.abc import Iterator

import msgspec
import pytest
import redis

from slotwise.cli.dev import _wheel_file
from slotwise.jobs import HEARTBEAT_KEY
from slotwise.settings import Settings
from tests.support.servers import free_port
from tests.support.smtp_server import Inbox, running_smtp
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


def test_the_worker_outlives_a_redis_restart(settings: Settings, own_redis: RedisServer) -> None:
    settings = msgspec.structs.replace(settings, redis_url=own_redis.url)
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
