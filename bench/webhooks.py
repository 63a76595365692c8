"""Webhook delivery: deliveries per second for one worker, and commit-to-receipt latency.

    uv run python -m bench.webhooks [--events 2000] [--endpoints 1] [--latency-events 50]

One `slotwise worker` process (default settings: 50 job slots, a quarter of them per endpoint)
delivers to a local HTTP receiver (a threaded server on 127.0.0.1 that answers 200 at once).
Events are committed the way a request commits them: event and delivery rows in one
transaction, wake-ups sent to Redis after the commit.

- throughput: N events committed (transactions of 100), then all their wake-ups sent; the time
  from the first wake-up to the last receipt (the relay runs once a minute here, so it does not
  pick the rows up while they are being committed);
- latency at low load: one event every 50 to 150 ms, the time from its commit to its receipt.
"""

import argparse
import asyncio
import random
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import redis

from bench.common import bench_env, fresh_database, worker
from slotwise.auth.hashing import build_hasher
from slotwise.auth.verifier import Verifier
from slotwise.companies.service import create_company
from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.db.tenancy import CompanyId
from slotwise.jobs import flush_after_commit, job_queue
from slotwise.models import EndpointStatus, WebhookEndpoint
from slotwise.settings import Settings, load_settings
from slotwise.webhooks import signing
from slotwise.webhooks.events import EventType, emit
from slotwise.webhooks.repository import EndpointRepository

REDIS_DB_URL = "redis://127.0.0.1:6379/13"


class Receipts:
    def __init__(self) -> None:
        #: first receipt time per webhook-id
        self.at: dict[str, float] = {}
        self.changed = threading.Condition()
        self.requests = 0
        self.last = 0.0

    def add(self, msg_id: str) -> None:
        now = time.time()
        with self.changed:
            self.requests += 1
            self.last = now
            self.at.setdefault(msg_id, now)
            self.changed.notify_all()

    def wait_requests(self, count: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.requests >= count, timeout=120)

    def wait_events(self, count: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: len(self.at) >= count, timeout=30)


@contextmanager
def receiver() -> Iterator[tuple[str, Receipts]]:
    receipts = Receipts()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            receipts.add(self.headers.get("webhook-id", ""))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", receipts
    finally:
        server.shutdown()
        server.server_close()


async def setup(settings: Settings, urls: list[str]) -> CompanyId:
    engine = create_engine(settings)
    async with create_sessionmaker(engine)() as session, session.begin():
        made = await create_company(
            session,
            Verifier(build_hasher("cheapest")),
            name="Bench hooks",
            owner_email=f"owner-{time.time_ns()}@bench.test",
            owner_given_name="Bench",
            owner_family_name="Owner",
        )
        company = CompanyId(made.company_id)
        for url in urls:
            EndpointRepository(session, company).add(
                WebhookEndpoint(
                    url=url,
                    event_types=[EventType.NEW_EMPLOYEE.value],
                    headers={},
                    timeout_seconds=10,
                    max_retries=10,
                    status=EndpointStatus.ACTIVE,
                    secret=signing.new_secret(),
                    success_count=0,
                    failure_count=0,
                )
            )
    await engine.dispose()
    return company


async def throughput(
    settings: Settings, company: CompanyId, receipts: Receipts, n: int, deliveries: int
) -> float:
    """Deliveries per second: `n` events are committed first (in transactions of 100), then
    their wake-ups are sent at once; the clock runs from the first wake-up to the last receipt.
    """
    engine = create_engine(settings)
    queue = job_queue(redis.asyncio.Redis.from_url(REDIS_DB_URL))
    sessions = create_sessionmaker(engine)
    committed = []
    try:
        for first in range(0, n, 100):
            async with sessions() as session:
                async with session.begin():
                    for i in range(first, min(first + 100, n)):
                        await emit(session, company, EventType.NEW_EMPLOYEE, {"userId": str(i)})
                committed.append(session)
        started = time.time()
        for session in committed:
            await flush_after_commit(session, queue)
    finally:
        await queue.aclose()
        await engine.dispose()
    await asyncio.to_thread(receipts.wait_requests, deliveries)
    return deliveries / (receipts.last - started)


async def latency(
    settings: Settings, company: CompanyId, receipts: Receipts, n: int
) -> list[float]:
    engine = create_engine(settings)
    queue = job_queue(redis.asyncio.Redis.from_url(REDIS_DB_URL))
    sessions = create_sessionmaker(engine)
    lags: list[float] = []
    try:
        for i in range(n):
            before = set(receipts.at)
            async with sessions() as session:
                async with session.begin():
                    await emit(session, company, EventType.NEW_EMPLOYEE, {"userId": f"l{i}"})
                committed = time.time()
                await flush_after_commit(session, queue)
            await asyncio.to_thread(receipts.wait_events, len(before) + 1)
            (new,) = set(receipts.at) - before
            lags.append((receipts.at[new] - committed) * 1000)
            await asyncio.sleep(random.uniform(0.05, 0.15))  # not in step with the worker's polls
    finally:
        await queue.aclose()
        await engine.dispose()
    return lags


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--endpoints", type=int, default=1)
    parser.add_argument("--latency-events", type=int, default=50)
    args = parser.parse_args()
    env = bench_env(
        fresh_database("slotwise_bench_webhooks"),
        REDIS_URL=REDIS_DB_URL,
        SLOTWISE_WEBHOOK_ALLOW_PRIVATE_NETWORKS="true",
        SLOTWISE_WEBHOOK_RELAY_SECONDS="60",
    )
    settings = load_settings(env)
    rows = []
    with receiver() as (url, receipts):
        company = asyncio.run(setup(settings, [url] * args.endpoints))
        redis.Redis.from_url(REDIS_DB_URL).flushdb()  # no jobs left from an earlier run
        with worker(env):
            deliveries = args.events * args.endpoints
            rate = asyncio.run(throughput(settings, company, receipts, args.events, deliveries))
            rows.append((f"deliveries/s ({args.events} events x {args.endpoints} endpoints)", rate))
            receipts.at.clear()
            lags = asyncio.run(latency(settings, company, receipts, args.latency_events))
    print(f"{'':<48}{'value':>12}")
    for name, value in rows:
        print(f"{name:<48}{value:>9.0f} /s")
    print(f"{'requests received (duplicates included)':<48}{receipts.requests:>12}")
    print(f"{'commit-to-receipt p50 (1 event / ~100 ms)':<48}{statistics.median(lags):>9.1f} ms")
    print(f"{'commit-to-receipt p95':<48}{percentile(lags, 0.95):>9.1f} ms")
    print(f"{'commit-to-receipt max':<48}{max(lags):>9.1f} ms")


if __name__ == "__main__":
    main()
