"""`slotwise worker` as a real subprocess, for tests that kill it or run it next to the app."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from slotwise.jobs import HEARTBEAT_KEY
from slotwise.settings import Settings
from tests.support.servers import server_env


@dataclass
class WorkerProcess:
    proc: subprocess.Popen[bytes]
    log: str

    def kill(self) -> None:
        """SIGKILL: no cleanup, in-flight deliveries are abandoned mid-request."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.reap()

    def reap(self) -> None:
        """Wait for the process to exit; SIGKILL after 10 s."""
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        with open(self.log, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-3000:]


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    return server_env(settings) | {
        "SLOTWISE_WEBHOOK_ALLOW_PRIVATE_NETWORKS": str(
            settings.webhook_allow_private_networks
        ).lower(),
        "SLOTWISE_IMAGE_IMPORT_ALLOW_PRIVATE_NETWORKS": str(
            settings.image_import_allow_private_networks
        ).lower(),
        "SLOTWISE_WEBHOOK_RELAY_SECONDS": str(settings.webhook_relay_seconds),
        "SLOTWISE_WEBHOOK_LEASE_MARGIN_SECONDS": str(settings.webhook_lease_margin_seconds),
        "SLOTWISE_DB_POOL_SIZE": "5",
        "SLOTWISE_MAIL_LEASE_SECONDS": str(settings.mail_lease_seconds),
        # a test's worker stops soon: what it leaves unfinished is given back
        "SLOTWISE_SHUTDOWN_TIMEOUT_SECONDS": "2",
        **({"SLOTWISE_SMTP_URL": settings.smtp_url} if settings.smtp_url else {}),
        **extra,
    }


@contextmanager
def started_workers(
    settings: Settings, count: int, **extra_env: str
) -> Iterator[list[WorkerProcess]]:
    """Start `count` workers side by side, without waiting for them (`wait_started`)."""
    redis.Redis.from_url(settings.redis_url or "").delete(HEARTBEAT_KEY)
    workers: list[WorkerProcess] = []
    logs = []
    try:
        for _ in range(count):
            log = tempfile.NamedTemporaryFile(  # noqa: SIM115
                prefix="slotwise-worker-", suffix=".log", delete=False
            )
            logs.append(log)
            proc = subprocess.Popen(
                [sys.executable, "-m", "slotwise", "worker"],
                env=worker_env(settings, **extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            workers.append(WorkerProcess(proc, log.name))
        yield workers
    finally:
        for worker in workers:  # all told at once, then waited for
            if worker.proc.poll() is None:
                worker.proc.terminate()
        for worker in workers:
            worker.reap()
        for log in logs:
            log.close()
            os.unlink(log.name)


def wait_started(settings: Settings, workers: list[WorkerProcess]) -> None:
    """Wait until a worker has started (its heartbeat is in Redis; the others start alike)."""
    client = redis.Redis.from_url(settings.redis_url or "")
    try:
        deadline = time.monotonic() + 30
        while not client.exists(HEARTBEAT_KEY):
            for worker in workers:
                if worker.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"worker did not start: {worker.output()}")
            time.sleep(0.05)
    finally:
        client.close()


@contextmanager
def running_workers(
    settings: Settings, count: int, **extra_env: str
) -> Iterator[list[WorkerProcess]]:
    """Start `count` workers and wait until they have started."""
    with started_workers(settings, count, **extra_env) as workers:
        wait_started(settings, workers)
        yield workers


@contextmanager
def running_worker(settings: Settings, **extra_env: str) -> Iterator[WorkerProcess]:
    """Start a worker and wait until it has started (its heartbeat is in Redis)."""
    with running_workers(settings, 1, **extra_env) as (worker,):
        yield worker
