"""Shared helpers for benchmarks: a fresh database, a running server and worker, a local SMTP
server, wrk runs."""

import asyncio
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
import redis
from aiosmtpd.controller import Controller

from slotwise.jobs import HEARTBEAT_KEY
from slotwise.kit.sealing import new_key

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


#: sealing key for the benchmark's servers (made per run; nothing outlives it)
BENCH_SECRET_KEY = new_key()


def database_url(name: str) -> str:
    base, _, query = ADMIN_URL.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def fresh_database(name: str = "slotwise_bench") -> str:
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = database_url(name)
    env = os.environ | {"DATABASE_URL": url, "REDIS_URL": REDIS_URL}
    subprocess.run([sys.executable, "-m", "slotwise", "migrate"], env=env, check=True)
    return url


def bench_env(url: str, **extra: str) -> dict[str, str]:
    """Server environment; the rate limiter is off unless a benchmark turns it on (load from
    one client would otherwise meet the per-credential limit)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOTWISE_")}
    defaults = {
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "SLOTWISE_RATE_LIMIT_ENABLED": "false",
        "SLOTWISE_SECRET_KEYS": BENCH_SECRET_KEY,
    }
    return env | defaults | extra


def create_company(env: dict[str, str], name: str = "Bench") -> dict[str, str]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "slotwise",
            "company",
            "create",
            "--name",
            name,
            "--owner-email",
            f"owner-{time.time_ns()}@bench.test",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, str] = json.loads(out.stdout)
    return result


@contextmanager
def server(
    env: dict[str, str], port: int = 8765, workers: int = 1, kind: str = "granian"
) -> Iterator[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "slotwise",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--server",
            kind,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@contextmanager
def worker(env: dict[str, str]) -> Iterator[float]:
    """`slotwise worker` with `env`, once it has started (its heartbeat is in Redis); yields
    the time.monotonic() of its start."""
    client = redis.Redis.from_url(env["REDIS_URL"])
    client.delete(HEARTBEAT_KEY)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "slotwise", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not client.exists(HEARTBEAT_KEY):
            if proc.poll() is not None:
                raise SystemExit("the worker did not start")
            time.sleep(0.05)
        yield started
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        client.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(handler: object) -> Iterator[str]:
    """An aiosmtpd server on 127.0.0.1 with `handler`, in a thread; yields its SMTP URL."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


SCRIPT = Path(__file__).with_name("report.lua")


def wrk(
    url: str,
    *,
    auth: str | None = None,
    method: str = "GET",
    body: str | None = None,
    header: str | None = None,
    connections: int = 16,
    seconds: int = 10,
) -> WrkResult:
    """Run wrk (one thread) through report.lua; `body` may contain "{n}" for unique values."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    env = os.environ | {"WRK_METHOD": method, "WRK_RUN": uuid.uuid4().hex[:12]}
    for name, value in (("WRK_AUTH", auth), ("WRK_BODY", body), ("WRK_HEADER", header)):
        if value is not None:
            env[name] = value
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(SCRIPT), url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    values = dict(part.split("=") for part in line.split()[1:])
    return WrkResult(
        requests_per_second=float(values["rps"]),
        requests=int(values["requests"]),
        non_2xx=int(values["non2xx"]),
        socket_errors=int(values["socket_errors"]),
        p50_ms=float(values["p50"]),
        p95_ms=float(values["p95"]),
        p99_ms=float(values["p99"]),
    )


def table(rows: list[tuple[str, WrkResult]]) -> str:
    lines = [f"{'':<28}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'non-2xx':>9}"]
    lines += [
        f"{name:<28}{r.requests_per_second:>9.0f}{r.p50_ms:>9.2f}{r.p95_ms:>9.2f}"
        f"{r.p99_ms:>9.2f}{r.non_2xx:>9}"
        for name, r in rows
    ]
    return "\n".join(lines)


WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class Host:
    """A provisioned user with one meeting type, and the headers that act as that user."""

    headers: dict[str, str]
    user_id: str
    meeting_type_id: str


def make_host(
    base: str, auth: str, hours: list[dict[str, str]], meeting_info: dict[str, object]
) -> Host:
    """`POST /v4/user` with `hours` every day (Europe/Berlin), then a meeting type on a 15-minute
    grid with no notice and no horizon, booked against that availability."""
    headers = {"Authorization": auth}
    user = httpx.post(
        f"{base}/v4/user",
        headers=headers,
        json={
            "email": f"host-{uuid.uuid4().hex[:8]}@bench.test",
            "givenName": "Bench",
            "familyName": "Host",
            "timezone": "Europe/Berlin",
            "availability": {
                "name": "Bench hours",
                "schedule": {day: {"enabled": True, "hours": hours} for day in WEEK},
            },
        },
    ).json()
    headers["x-meetergo-api-user-id"] = user["userId"]
    meeting_type = httpx.post(
        f"{base}/v4/meeting-type",
        headers=headers,
        json={
            "meetingInfo": meeting_info,
            "availabilityId": user["availabilityId"],
            "timeslotInterval": 15,
            "bookingMinimum": 0,
            "daysIntoFuture": {"mode": "unlimited"},
        },
    ).json()
    return Host(headers, user["userId"], meeting_type["id"])


async def add_appointments(
    url: str,
    user_id: str,
    meeting_type_id: str,
    starts: list[datetime],
    *,
    minutes: int,
    buffers: int = 0,
) -> None:
    """Confirmed appointments of a host, inserted directly, then `ANALYZE`: what autovacuum
    does soon after a bulk load (without statistics the planner takes the tables for empty
    and picks plans that read far more than they need)."""
    conn = await asyncpg.connect(url)
    try:
        company_id = await conn.fetchval(
            'SELECT company_id FROM "user" WHERE id = $1', uuid.UUID(user_id)
        )
        await conn.execute(
            "INSERT INTO appointment (id, company_id, meeting_type_id, host_user_id, start_at,"
            " end_at, status, buffer_before, buffer_after, total_spots, meeting_info,"
            " secret_hash, request, reschedule_count, ics_sequence)"
            " SELECT gen_random_uuid(), $1, $2, $3, s, s + make_interval(mins => $5),"
            " 'confirmed', $6, $6, 1, '{}', $7, '{}', 0, 0 FROM unnest($4::timestamptz[]) s",
            company_id,
            uuid.UUID(meeting_type_id),
            uuid.UUID(user_id),
            starts,
            minutes,
            buffers,
            hashlib.sha256(b"bench").hexdigest(),
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def _cpu_ticks(pid: int) -> int:
    """User and system CPU of a live process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _processes() -> Iterator[tuple[int, int, list[str]]]:
    """(pid, parent pid, command line) of every process on the machine (Linux's /proc)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        yield int(entry.name), parent, argv


def _serving(table: list[tuple[int, int, list[str]]], port: int) -> set[int]:
    """`slotwise serve --port {port}` (started by `server`) and all its descendants, in a
    table of `_processes()`."""
    found = {
        pid for pid, _, argv in table if "serve" in argv and "--port" in argv and str(port) in argv
    }
    grew = True
    while grew:
        children = {pid for pid, parent, _ in table if parent in found} - found
        found |= children
        grew = bool(children)
    return found


@dataclass
class CpuShares:
    """CPU seconds the parts of the system spent over a stretch of a benchmark."""

    server: float
    postgres: float
    redis: float


class CpuMeter:
    """Where the machine's CPU goes while a benchmark runs: the server's processes, the whole
    PostgreSQL server (its backends, WAL writer, checkpointer and autovacuum: run benchmarks
    where nothing else uses it) and the Redis server. A process that exits during the stretch
    is not counted, one that starts is counted whole."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.before: dict[str, dict[int, int]] = {}

    def _groups(self) -> dict[str, dict[int, int]]:
        table = list(_processes())

        def named(*programs: str) -> set[int]:
            """Processes by program name; PostgreSQL's children are titled `postgres: …`."""
            return {pid for pid, _, argv in table if Path(argv[0].split(" ")[0]).name in programs}

        groups = {
            "server": _serving(table, self.port),
            "postgres": named("postgres", "postgres:"),
            "redis": named("redis-server"),
        }
        return {name: {pid: _cpu_ticks(pid) for pid in pids} for name, pids in groups.items()}

    def start(self) -> None:
        self.before = self._groups()

    def stop(self) -> CpuShares:
        after, tick = self._groups(), os.sysconf("SC_CLK_TCK")

        def spent(name: str) -> float:
            before = self.before.get(name, {})
            return sum(t - before.get(pid, 0) for pid, t in after[name].items()) / tick

        return CpuShares(spent("server"), spent("postgres"), spent("redis"))
