"""Real server processes for tests that need more than one process."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

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


def _start(settings: Settings, server: str, extra_env: dict[str, str] | None) -> ServerProcess:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "slotwise", "serve", "--port", str(port), "--server", server],
        env=server_env(settings) | (extra_env or {}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return ServerProcess(proc, f"http://127.0.0.1:{port}")


def _wait_ready(running: ServerProcess) -> None:
    proc, base = running.proc, running.base
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:  # not ready in time: its output ends when it does
                proc.kill()
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"server did not start: {err[-2000:]}")
        time.sleep(0.1)


def _stop(running: ServerProcess) -> None:
    proc = running.proc
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr:
        proc.stderr.close()


@contextmanager
def server_processes(
    settings: Settings,
    count: int,
    server: str = "uvicorn",
    extra_env: dict[str, str] | None = None,
) -> Iterator[list[ServerProcess]]:
    """`count` `slotwise serve` processes started side by side, once all are ready; stopped
    afterwards if still running."""
    started: list[ServerProcess] = []
    try:
        started.extend(_start(settings, server, extra_env) for _ in range(count))
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
    settings: Settings, server: str = "uvicorn", extra_env: dict[str, str] | None = None
) -> Iterator[ServerProcess]:
    """`slotwise serve` in a subprocess, once it is ready; stopped afterwards if still running."""
    with server_processes(settings, 1, server, extra_env) as (running,):
        yield running


@contextmanager
def running_server(
    settings: Settings, server: str = "uvicorn", extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """`slotwise serve` in a subprocess; yields its base URL once it is ready."""
    with server_process(settings, server, extra_env) as running:
        yield running.base
