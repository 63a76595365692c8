"""Real server processes for tests that need more than one process."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO

import httpx

from slotwise.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOTWISE_")}
    env.update(
        DATABASE_URL=settings.database_url or "",
        REDIS_URL=settings.redis_url or "",
        SLOTWISE_ARGON2_PROFILE=settings.argon2_profile,
        SLOTWISE_PUBLIC_URL=settings.public_url,
        SLOTWISE_SECRET_KEYS=settings.secret_keys,
    )
    return env


@dataclass
class ServerProcess:
    proc: subprocess.Popen[bytes]
    base: str
    #: the process's log: a file, not a pipe (nobody reads it while the server runs, and a
    #: full pipe would stop the server at its next line, one a request)
    log: IO[bytes]

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def _start(
    settings: Settings, server: str, extra_env: dict[str, str] | None, workers: int
) -> ServerProcess:
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _stop
    command = ["serve", "--port", str(port), "--server", server, "--workers", str(workers)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "slotwise", *command],
        env=server_env(settings) | (extra_env or {}),
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,  # its own process group: a kill reaches granian's workers too
    )
    return ServerProcess(proc, f"http://127.0.0.1:{port}", log)


#: how long a server may take to answer ready: five processes starting at once on a 2-core
#: machine that runs another test file beside them took over 30 s
READY_SECONDS = 120


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """The server and the workers it forked (killing the parent alone leaves them serving)."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _wait_ready(running: ServerProcess) -> None:
    proc, base = running.proc, running.base
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:  # not ready in time
                _kill(proc)
            raise RuntimeError(f"server did not start: {running.output()[-2000:]}")
        time.sleep(0.1)


def _stop(running: ServerProcess) -> None:
    proc = running.proc
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        _kill(proc)
    running.log.close()


@contextmanager
def server_processes(
    settings: Settings,
    count: int,
    server: str = "uvicorn",
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
) -> Iterator[list[ServerProcess]]:
    """`count` `slotwise serve` processes started side by side, once all are ready; stopped
    afterwards if still running."""
    started: list[ServerProcess] = []
    try:
        started.extend(_start(settings, server, extra_env, workers) for _ in range(count))
        for running in started:
            _wait_ready(running)
        yield started
    finally:
        for running in started:  # all told at once, then waited for
            running.proc.terminate()
        for running in started:
            _stop(running)


@contextmanager
def server_process(
    settings: Settings,
    server: str = "uvicorn",
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
) -> Iterator[ServerProcess]:
    """`slotwise serve` in a subprocess, once it is ready; stopped afterwards if still running."""
    with server_processes(settings, 1, server, extra_env, workers) as (running,):
        yield running


@contextmanager
def running_server(
    settings: Settings,
    server: str = "uvicorn",
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
) -> Iterator[str]:
    """`slotwise serve` in a subprocess; yields its base URL once it is ready."""
    with server_process(settings, server, extra_env, workers) as running:
        yield running.base
