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
        **({"SLOTWISE_SMTP_URL": settings.smtp_url} if settings.smtp_url else {}),
        **extra,
    }


@contextmanager
def running_worker(settings: Settings, **extra_env: str) -> Iterator[WorkerProcess]:
    """Start a worker and wait until it has started (its heartbeat is in Redis)."""
    client = redis.Redis.from_url(settings.redis_url or "")
    client.delete(HEARTBEAT_KEY)
    log = tempfile.NamedTemporaryFile(prefix="slotwise-worker-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "slotwise", "worker"],
        env=worker_env(settings, **extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = WorkerProcess(proc, log.name)
    try:
        deadline = time.monotonic() + 30
        while not client.exists(HEARTBEAT_KEY):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start: {worker.output()}")
            time.sleep(0.05)
        yield worker
    finally:
        worker.stop()
        client.close()
        log.close()
        os.unlink(log.name)
