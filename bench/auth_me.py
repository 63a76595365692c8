"""Hot-path cost of authentication: GET /v4/user/me (platform key) vs GET /health/live.

    uv run python bench/auth_me.py [--seconds 10] [--connections 16]

One `slotwise serve` worker (granian), production argon2 profile, wrk on the same machine.
"""

import argparse

from bench.common import bench_env, create_company, fresh_database, server, wrk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    env = bench_env(fresh_database())
    company = create_company(env)
    auth = {"Authorization": f"Bearer {company['apiKey']}"}
    with server(env) as base:
        wrk(f"{base}/health/live", seconds=2)  # warm-up
        wrk(f"{base}/v4/user/me", auth, seconds=2)
        health = wrk(f"{base}/health/live", connections=args.connections, seconds=args.seconds)
        me = wrk(f"{base}/v4/user/me", auth, connections=args.connections, seconds=args.seconds)
    print(f"{'endpoint':<22}{'req/s':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'non-2xx':>9}")
    for name, r in (("GET /health/live", health), ("GET /v4/user/me", me)):
        print(
            f"{name:<22}{r.requests_per_second:>10.0f}{r.p50_ms:>9.2f}{r.p90_ms:>9.2f}"
            f"{r.p99_ms:>9.2f}{r.non_2xx:>9}"
        )
    ratio = me.requests_per_second / health.requests_per_second
    print(f"authenticated / health throughput: {ratio:.2f}")


if __name__ == "__main__":
    main()
