"""Hot-path cost of authentication: GET /v4/user/me (platform key) vs GET /health/live.

    uv run python -m bench.auth_me [--seconds 10] [--connections 16] [--credential-cache-seconds 60]

One `slotwise serve` worker (granian), production argon2 profile, wrk on the same machine.
"""

import argparse

from bench.common import bench_env, create_company, fresh_database, server, table, wrk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--credential-cache-seconds",
        type=int,
        default=0,
        help="SLOTWISE_CREDENTIAL_CACHE_SECONDS of the server (0: credentials read every time)",
    )
    args = parser.parse_args()
    env = bench_env(
        fresh_database(), SLOTWISE_CREDENTIAL_CACHE_SECONDS=str(args.credential_cache_seconds)
    )
    auth = f"Bearer {create_company(env)['apiKey']}"
    with server(env) as base:
        wrk(f"{base}/health/live", seconds=2)  # warm-up
        wrk(f"{base}/v4/user/me", auth=auth, seconds=2)
        health = wrk(f"{base}/health/live", connections=args.connections, seconds=args.seconds)
        me = wrk(
            f"{base}/v4/user/me", auth=auth, connections=args.connections, seconds=args.seconds
        )
    print(table([("GET /health/live", health), ("GET /v4/user/me", me)]))
    ratio = me.requests_per_second / health.requests_per_second
    print(f"authenticated / health throughput: {ratio:.3f}")


if __name__ == "__main__":
    main()
