"""What the Redis rate limiter adds per request: GET /v4/user/me with and without it.

    uv run python -m bench.ratelimit [--seconds 10]

Same server command twice (one granian worker), SLOTWISE_RATE_LIMIT_ENABLED true / false;
one connection, so the median latency is the per-request cost, then 16 connections.
"""

import argparse

from bench.common import bench_env, create_company, fresh_database, server, table, wrk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    url = fresh_database()
    auth = f"Bearer {create_company(bench_env(url))['apiKey']}"
    rows = []
    medians = {}
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
            many = wrk(f"{base}/v4/user/me", auth=auth, connections=16, seconds=args.seconds)
        label = "limiter on" if enabled == "true" else "limiter off"
        rows += [(f"{label}, c=1", one), (f"{label}, c=16", many)]
        medians[enabled] = one.p50_ms
    print(table(rows))
    print(f"median added by the limiter (c=1): {medians['true'] - medians['false']:.3f} ms")


if __name__ == "__main__":
    main()
