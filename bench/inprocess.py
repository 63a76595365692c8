"""Server CPU per request, measured in one process driven through its ASGI interface.

    uv run python -m bench.inprocess [--requests 2000] [--concurrency 16] [--rounds 1]

Over HTTP on a shared 2-core machine the load generator, PostgreSQL and the server take turns
on the cores, and runs of the same command differ by a third; the CPU time one application
instance spends per request, driven by 16 concurrent callers on uvloop with no HTTP server in
front, varies far less. It covers the application only (PostgreSQL's own CPU is not in it):
`/health/live`, `GET /v4/user/me`, `GET /v4/booking-availability` (1 host, 31 days, 500 busy
appointments; answered from the slot cache, then with the cache off) and `POST /v4/booking`
round robin over 16 hosts. "statements" counts what SQLAlchemy sends; the few hot reads that
go to asyncpg directly (the credential, the rules, busy time) are not in it. With `--rounds N`
each request is measured N times and the round with the least CPU is printed: the machine's
other work only ever adds to a round.
"""

import argparse
import asyncio
import itertools
import json
import os
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from datetime import time as wall
from typing import Any

import uvloop
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.bookings import ZONE, body
from bench.common import Host, bench_env, create_company, fresh_database, make_host, server
from bench.slots_endpoint import DAYS, HOURS, MEETING_TYPE, add_busy, first_day
from slotwise.app import create_app_from_env
from slotwise.kit.logs import configure_logging

ASGIApp = Callable[..., Awaitable[None]]


class Statements:
    count = 0

    @classmethod
    def seen(cls, *_: Any) -> None:
        cls.count += 1


event.listen(Engine, "before_cursor_execute", Statements.seen)


async def call(
    app: ASGIApp, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> int:
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench")]
        + [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + ([(b"content-length", str(len(body)).encode())] if body else []),
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError

    status: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


class App:
    """One application instance with its lifespan started."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.log = open(os.devnull, "w")  # noqa: SIM115 - closed on exit

    async def __aenter__(self) -> ASGIApp:
        os.environ.clear()
        os.environ.update(self.env)
        app = create_app_from_env()
        self.app = app
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.task = asyncio.create_task(app(scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        started = await self.outbox.get()
        assert started["type"] == "lifespan.startup.complete", started
        # access lines are formatted as in production and written where they cost no terminal
        configure_logging("info", "json", self.log)
        return app

    async def __aexit__(self, *_: object) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self.outbox.get()
        await self.task
        self.log.close()


async def measure(
    app: ASGIApp, request: Callable[[int], Awaitable[int]], n: int, concurrency: int
) -> tuple[float, float, dict[int, int]]:
    """(CPU ms per request, statements per request, statuses) over `n` requests."""
    numbers = itertools.count()
    statuses: dict[int, int] = {}

    async def worker() -> None:
        while (i := next(numbers)) < n:
            status = await request(i)
            statuses[status] = statuses.get(status, 0) + 1

    Statements.count = 0
    cpu = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu = time.process_time() - cpu
    return cpu * 1000 / n, Statements.count / n, statuses


async def best_of(
    rounds: int, run: Callable[[int], Awaitable[tuple[float, float, dict[int, int]]]]
) -> tuple[float, float, dict[int, int]]:
    """The round with the least CPU per request (the one least disturbed by the machine's
    other work), with the statuses of all rounds."""
    results = [await run(k) for k in range(rounds)]
    statuses: dict[int, int] = {}
    for _, _, seen in results:
        for status, count in seen.items():
            statuses[status] = statuses.get(status, 0) + count
    cpu, statements, _ = min(results, key=lambda result: result[0])
    return cpu, statements, statuses


def again(
    app: ASGIApp, request: Callable[[int], Awaitable[int]], n: int, concurrency: int
) -> Callable[[int], Awaitable[tuple[float, float, dict[int, int]]]]:
    """One round of `n` requests, for `best_of`."""
    return lambda _: measure(app, request, n, concurrency)


def booking_body(host: Host, n: int) -> bytes:
    hosts_day = first_day() + timedelta(days=DAYS + 7)
    start = datetime.combine(hosts_day, wall(0), ZONE) + timedelta(minutes=15 * n)
    return json.dumps(body(host.meeting_type_id, start, n)).encode()


async def run(args: argparse.Namespace, env: dict[str, str], auth: str, slot_host: Host) -> None:
    first = first_day()
    slots = (
        f"/v4/booking-availability?meetingTypeId={slot_host.meeting_type_id}"
        f"&start={first}&end={first + timedelta(days=DAYS - 1)}"
    )
    hosts: list[Host] = args.hosts
    plain = {"authorization": auth}
    json_headers = {"content-type": "application/json"}
    n, c = args.requests, args.concurrency
    rows: list[tuple[str, float, float, dict[int, int]]] = []

    def get(path: str, headers: dict[str, str]) -> Callable[[int], Awaitable[int]]:
        return lambda _: call(app, "GET", path, headers)

    def book(offset: int) -> Callable[[int], Awaitable[int]]:
        def request(i: int) -> Awaitable[int]:
            host = hosts[(offset + i) % len(hosts)]
            body = booking_body(host, (offset + i) // len(hosts))
            return call(app, "POST", "/v4/booking", host.headers | json_headers, body)

        return request

    scenarios = [
        ("GET /health/live", get("/health/live", {}), n),
        ("GET /v4/user/me", get("/v4/user/me", plain), n),
        ("GET /v4/booking-availability, cached", get(slots, plain), n),
    ]
    async with App(env) as app:
        for name, request, count in scenarios:
            await measure(app, request, count // 10, args.concurrency)  # warm-up
            rows.append((name, *await best_of(args.rounds, again(app, request, count, c))))
        bookings = max(n // 10, 160)
        await measure(app, book(0), 64, args.concurrency)
        rows.append(
            (
                "POST /v4/booking",
                *await best_of(
                    args.rounds, lambda k: measure(app, book(64 + k * bookings), bookings, 16)
                ),
            )
        )
    async with App(env | {"SLOTWISE_SLOT_CACHE_SIZE": "0"}) as app:
        request = get(slots, plain)
        await measure(app, request, 20, args.concurrency)
        uncached = await best_of(args.rounds, again(app, request, n // 10, 16))
        rows.append(("  same, slot cache off", *uncached))
    health = rows[0][1]
    print(f"{'':<40}{'CPU ms':>9}{'health/x':>10}{'statements':>12}  statuses")
    for name, cpu, statements, statuses in rows:
        print(f"{name:<40}{cpu:>9.3f}{health / cpu:>10.3f}{statements:>12.2f}  {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure each request this often; print the least"
    )
    args = parser.parse_args()
    url = fresh_database("slotwise_bench_inprocess")
    env = bench_env(url)
    auth = f"Bearer {create_company(env)['apiKey']}"
    with server(env) as base:
        slot_host = make_host(
            base,
            auth,
            HOURS,
            MEETING_TYPE,
        )
        args.hosts = [
            make_host(
                base,
                auth,
                [{"start": "00:00", "end": "24:00"}],
                {"name": "Quick", "duration": 15, "channel": "zoom"},
            )
            for _ in range(16)
        ]
    asyncio.run(add_busy(url, slot_host.user_id, slot_host.meeting_type_id))
    uvloop.run(run(args, env, auth, slot_host))


if __name__ == "__main__":
    main()
