"""Booking creation under load, and how fast 200 concurrent requests for one slot settle.

    uv run python -m bench.bookings [--requests 400] [--concurrency 16] [--hosts 1] [--history 200]
        [--workers 1]

`slotwise serve` with one granian worker (or `--workers`). Each host first gets `--history`
past appointments, as a host in use has, and the tables their statistics, as autovacuum would
give them. Part 1: `--concurrency` clients book distinct slots (p50/p95 of POST /v4/booking),
spread round robin over `--hosts` hosts (one host: every booking waits for that host's lock;
16: they mostly do not), and the CPU time each part of the machine spent per booking (the
server's processes, PostgreSQL, Redis, this client), read from Linux's /proc: on a shared
machine their sum per booking bounds the throughput, whatever the latency. Part 2: 200
concurrent POSTs for one slot, repeated 5 times: time until every request has its answer, and
the winners per slot (must be exactly 1).
"""

import argparse
import asyncio
import os
import statistics
import time
from datetime import date, datetime, timedelta
from datetime import time as wall
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bench.common import (
    CpuMeter,
    Host,
    add_appointments,
    bench_env,
    create_company,
    fresh_database,
    make_host,
    server,
)

ZONE = ZoneInfo("Europe/Berlin")
DATABASE = "slotwise_bench"
PORT = 8765


def body(meeting_type_id: str, start: datetime, n: int) -> dict[str, Any]:
    return {
        "meetingTypeId": meeting_type_id,
        "start": start.isoformat(),
        "attendee": {
            "email": f"guest{n}@bench.test",
            "firstname": "Guest",
            "lastname": str(n),
            "receiveReminders": False,
            "notes": {},
        },
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def distinct_slots(
    base: str, hosts: list[Host], first: date, *, requests: int, concurrency: int
) -> tuple[list[float], list[int], float]:
    """Request n books host n % len(hosts) at its (n // len(hosts))-th quarter hour; the
    latencies, the statuses and the seconds the whole run took."""
    starts = [
        datetime.combine(first, wall(0), ZONE) + timedelta(minutes=15 * (n // len(hosts)))
        for n in range(requests)
    ]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(requests):
        queue.put_nowait(n)
    latencies: list[float] = []
    statuses: list[int] = []

    async def worker(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            host = hosts[n % len(hosts)]
            t0 = time.perf_counter()
            response = await http.post(
                "/v4/booking", json=body(host.meeting_type_id, starts[n], n), headers=host.headers
            )
            latencies.append((time.perf_counter() - t0) * 1000)
            statuses.append(response.status_code)

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        began = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return latencies, statuses, elapsed


async def one_slot(
    base: str, headers: dict[str, str], mt: str, start: datetime, n: int = 200
) -> tuple[float, dict[int, int]]:
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as http:
        t0 = time.perf_counter()
        responses = await asyncio.gather(
            *(http.post("/v4/booking", json=body(mt, start, i), headers=headers) for i in range(n))
        )
        elapsed = time.perf_counter() - t0
    counts: dict[int, int] = {}
    for r in responses:
        counts[r.status_code] = counts.get(r.status_code, 0) + 1
    return elapsed, counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--hosts", type=int, default=1)
    parser.add_argument(
        "--history", type=int, default=200, help="past appointments of each host, made first"
    )
    parser.add_argument("--workers", type=int, default=1, help="granian workers of the server")
    args = parser.parse_args()
    url = fresh_database(DATABASE)
    env = bench_env(url, SLOTWISE_RATE_LIMIT_ENABLED="false")
    auth = f"Bearer {create_company(env)['apiKey']}"
    first = datetime.now(ZONE).date() + timedelta(days=7)
    with server(env, port=PORT, workers=args.workers) as base:
        hosts = [
            make_host(
                base,
                auth,
                [{"start": "00:00", "end": "24:00"}],
                {"name": "Quick", "duration": 15, "channel": "zoom"},
            )
            for _ in range(args.hosts)
        ]
        past = datetime.combine(first - timedelta(days=8), wall(8), ZONE)
        for host in hosts:
            history = [past - timedelta(hours=2 * n) for n in range(args.history)]
            asyncio.run(
                add_appointments(url, host.user_id, host.meeting_type_id, history, minutes=30)
            )
        headers, mt = hosts[0].headers, hosts[0].meeting_type_id
        meter = CpuMeter(port=PORT)
        meter.start()
        client = time.process_time()
        latencies, statuses, elapsed = asyncio.run(
            distinct_slots(base, hosts, first, requests=args.requests, concurrency=args.concurrency)
        )
        cpu, client = meter.stop(), time.process_time() - client
        settle = []
        for trial in range(5):
            start = datetime.combine(first + timedelta(days=30 + trial), wall(10), ZONE)
            settle.append(asyncio.run(one_slot(base, headers, mt, start)))
    ok = statuses.count(201)
    print(
        f"distinct slots: {ok}/{len(statuses)} created, {args.hosts} host(s),"
        f" c={args.concurrency}: "
        f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms,"
        f" {ok / elapsed:.0f} bookings/s"
    )
    print(
        f"CPU per booking: server {cpu.server * 1000 / ok:.1f} ms,"
        f" PostgreSQL {cpu.postgres * 1000 / ok:.1f} ms, Redis {cpu.redis * 1000 / ok:.1f} ms,"
        f" this client {client * 1000 / ok:.1f} ms ({os.cpu_count()} cores)"
    )
    for elapsed, counts in settle:
        print(f"200 concurrent for one slot: settled in {elapsed * 1000:.0f} ms, statuses {counts}")


if __name__ == "__main__":
    main()
