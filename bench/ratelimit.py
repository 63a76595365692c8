"""What the Redis rate limiter adds per request: GET /v4/user/me with and without it.

    uv run python -m bench.ratelimit [--seconds 8] [--rounds 3] [--requests 6000]

1. One application instance driven through its ASGI interface (everything but the HTTP server),
   requests alternating between the limiter on and off, so both see the same process, caches,
   connections and machine load; the difference of the median latencies is the limiter's cost.
2. The same over HTTP: the server command (one granian worker) started with
   SLOTWISE_RATE_LIMIT_ENABLED true / false in alternating rounds, one connection, so the median
   latency is the per-request cost; server-to-server variation on a shared machine is part of it.
"""

import argparse
import asyncio
import statistics
import time

import msgspec
from litestar.types import Message
from redis.asyncio import Redis

from bench.common import REDIS_URL, bench_env, create_company, fresh_database, server, table, wrk
from slotwise.app import create_app
from slotwise.ratelimit.limiter import Policy, RateLimiter
from slotwise.settings import SETTINGS, load_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=6000)
    args = parser.parse_args()
    url = fresh_database()
    auth = f"Bearer {create_company(bench_env(url))['apiKey']}"
    on_ms, off_ms = asyncio.run(interleaved(high_limit_env(url, "true"), auth, args.requests))
    print(
        f"same app, alternating requests: on {on_ms:.3f} ms, off {off_ms:.3f} ms, "
        f"added {on_ms - off_ms:.3f} ms (median latency, {args.requests} requests)"
    )
    medians: dict[str, list[float]] = {"true": [], "false": []}
    rows = []
    for round_ in range(args.rounds):  # alternate, so drift on a shared machine hits both
        for enabled in ("true", "false"):
            with server(high_limit_env(url, enabled)) as base:
                wrk(f"{base}/v4/user/me", auth=auth, seconds=2)  # warm-up
                one = wrk(f"{base}/v4/user/me", auth=auth, connections=1, seconds=args.seconds)
            medians[enabled].append(one.p50_ms)
            label = "limiter on " if enabled == "true" else "limiter off"
            rows.append((f"{label} c=1, round {round_ + 1}", one))
    print(table(rows))
    on, off = statistics.median(medians["true"]), statistics.median(medians["false"])
    print(f"median of medians: on {on:.3f} ms, off {off:.3f} ms, added {on - off:.3f} ms")
    print(f"in-process limiter check (script call + headers): {asyncio.run(check_cost()):.3f} ms")


def high_limit_env(url: str, enabled: str) -> dict[str, str]:
    """A limit so high that every request is counted but none is refused."""
    return bench_env(
        url,
        SLOTWISE_RATE_LIMIT_ENABLED=enabled,
        SLOTWISE_RATE_LIMIT_PER_MINUTE="10000000",
        SLOTWISE_RATE_LIMIT_BURST="10000000",
    )


async def interleaved(env: dict[str, str], auth: str, requests: int) -> tuple[float, float]:
    """Median latency (ms) with the limiter on and off, requests alternating in one app."""
    app = create_app(load_settings(env))
    scope_headers = [(b"host", b"bench"), (b"authorization", auth.encode())]

    async def call() -> None:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/v4/user/me",
            "raw_path": b"/v4/user/me",
            "query_string": b"",
            "root_path": "",
            "headers": scope_headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        await app(scope, receive, send)  # type: ignore[arg-type]
        if sent[0]["status"] != 200:
            raise RuntimeError(f"unexpected status {sent[0]['status']}")

    samples: dict[bool, list[float]] = {True: [], False: []}
    async with app.lifespan():
        on = SETTINGS.of(app.state)
        off = msgspec.structs.replace(on, rate_limit_enabled=False)
        for _ in range(300):  # warm-up: verified-secret cache, pool, prepared statements
            await call()
        for n in range(requests):
            enabled = n % 2 == 0
            SETTINGS.put(app.state, on if enabled else off)
            started = time.perf_counter()
            await call()
            samples[enabled].append((time.perf_counter() - started) * 1000)
    return statistics.median(samples[True]), statistics.median(samples[False])


async def check_cost(calls: int = 2000) -> float:
    """Median cost of one limiter decision, measured without the HTTP stack around it."""
    redis = Redis.from_url(REDIS_URL)
    limiter = RateLimiter(redis, prefix="rl-bench")
    policy = Policy.build(10_000_000, 10_000_000)
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        decision = await limiter.hit("bench", policy)
        decision.headers()
        samples.append((time.perf_counter() - started) * 1000)
    await redis.aclose()
    return statistics.median(samples)


if __name__ == "__main__":
    main()
