"""What the Redis rate limiter adds per request: GET /v4/user/me with and without it.

    uv run python -m bench.ratelimit [--seconds 10]

Same server command twice (one granian worker), SLOTWISE_RATE_LIMIT_ENABLED true / false;
one connection, so the median latency is the per-request cost; rounds alternate.
"""

import argparse
import asyncio
import statistics
import time

from redis.asyncio import Redis

from bench.common import REDIS_URL, bench_env, create_company, fresh_database, server, table, wrk
from slotwise.ratelimit import Policy, RateLimiter


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = fresh_database()
    auth = f"Bearer {create_company(bench_env(url))['apiKey']}"
    medians: dict[str, list[float]] = {"true": [], "false": []}
    rows = []
    for round_ in range(args.rounds):  # alternate, so drift on a shared machine hits both
        for enabled in ("true", "false"):
            # a high limit, so that every request is counted but none is refused
            env = bench_env(
                url,
                SLOTWISE_RATE_LIMIT_ENABLED=enabled,
                SLOTWISE_RATE_LIMIT_PER_MINUTE="10000000",
                SLOTWISE_RATE_LIMIT_BURST="10000000",
            )
            with server(env) as base:
                wrk(f"{base}/v4/user/me", auth=auth, seconds=2)  # warm-up
                one = wrk(f"{base}/v4/user/me", auth=auth, connections=1, seconds=args.seconds)
            medians[enabled].append(one.p50_ms)
            label = "limiter on " if enabled == "true" else "limiter off"
            rows.append((f"{label} c=1, round {round_ + 1}", one))
    print(table(rows))
    on, off = statistics.median(medians["true"]), statistics.median(medians["false"])
    print(f"median of medians: on {on:.3f} ms, off {off:.3f} ms, added {on - off:.3f} ms")
    print(f"in-process limiter check (script call + headers): {asyncio.run(check_cost()):.3f} ms")


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
