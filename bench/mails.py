"""Mail: messages per second from one worker to a local SMTP server, and booking latency with
mails on and off.

    uv run python -m bench.mails [--bookings 300] [--concurrency 16]

One `slotwise serve` (granian, one worker) and one `slotwise worker`; the SMTP server is
aiosmtpd on 127.0.0.1 (answers 250 at once).

- latency: rounds of `--bookings` bookings of distinct slots at `--concurrency`: a warm-up,
  then the company's mails off, on, off, on (`PATCH /v4/company/notifications`); p50/p95 of
  POST /v4/booking per mode. With mails on, each booking also writes its mail rows in its
  transaction; sending happens after commit, in the worker.
- throughput: the mails of those bookings (a confirmation and a host notice each) are queued
  while the worker is stopped; then the worker starts and the time from its start to the last
  message received is measured.
"""

import argparse
import asyncio
import statistics
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from bench.bookings import ZONE, distinct_slots, percentile
from bench.common import (
    Host,
    bench_env,
    create_company,
    fresh_database,
    make_host,
    server,
    smtp_server,
    worker,
)


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.count += 1
            self.last = time.monotonic()
        return "250 OK"


def latency(base: str, host: Host, days: int, args: Any) -> list[float]:
    first = datetime.now(ZONE).date() + timedelta(days=days)
    latencies, statuses, _ = asyncio.run(
        distinct_slots(base, [host], first, requests=args.bookings, concurrency=args.concurrency)
    )
    assert statuses.count(201) == args.bookings, statuses
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    counter = Counter()
    with smtp_server(counter) as smtp_url:
        env = bench_env(fresh_database("slotwise_bench_mails"), SLOTWISE_SMTP_URL=smtp_url)
        auth = f"Bearer {create_company(env)['apiKey']}"
        with server(env) as base:
            host = make_host(
                base,
                auth,
                [{"start": "00:00", "end": "24:00"}],
                {"name": "Quick", "duration": 15, "channel": "zoom"},
            )
            company = {"Authorization": auth}
            took: dict[bool, list[float]] = {False: [], True: []}
            # a warm-up round, then off and on twice in turn, so neither gets the cold start
            for days, mails in ((3, None), (7, False), (14, True), (21, False), (28, True)):
                switch = {"hostEmails": bool(mails), "attendeeEmails": bool(mails)}
                httpx.patch(f"{base}/v4/company/notifications", json=switch, headers=company)
                measured = latency(base, host, days, args)
                if mails is not None:
                    took[mails] += measured
            rows = [
                (mails, statistics.median(values), percentile(values, 0.95))
                for mails, values in took.items()
            ]
        expected = 2 * 2 * args.bookings
        with worker(env) as started:
            deadline = time.monotonic() + 600
            while counter.count < expected and time.monotonic() < deadline:
                time.sleep(0.05)
            elapsed = counter.last - started
    print(f"POST /v4/booking, 2 x {args.bookings} bookings each, c={args.concurrency}:")
    for mails, p50, p95 in rows:
        print(f"  mails {'on ' if mails else 'off'}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print(
        f"one worker: {counter.count}/{expected} messages in {elapsed:.1f} s since its start "
        f"= {counter.count / elapsed:.0f} messages/s (start-up included)"
    )


if __name__ == "__main__":
    main()
