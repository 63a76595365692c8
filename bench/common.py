"""Shared helpers for benchmarks: a fresh database, a running server, wrk runs."""

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


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
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOTWISE_")}
    return env | {"DATABASE_URL": url, "REDIS_URL": REDIS_URL} | extra


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


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(
    url: str, headers: dict[str, str] | None = None, connections: int = 16, seconds: int = 10
) -> WrkResult:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", out, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]),
        p90_ms=_ms(latency["90"]),
        p99_ms=_ms(latency["99"]),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )
