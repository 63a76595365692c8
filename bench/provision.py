"""POST /v4/user throughput and latency: user + availability + meeting type per request.

    uv run python -m bench.provision [--seconds 10] [--connections 8]

One `slotwise serve` worker (granian), production argon2 profile, unique emails per request.
"""

import argparse

from bench.common import bench_env, create_company, fresh_database, server, table, wrk

BODY = (
    '{"email":"u{n}@bench.test","givenName":"Bench","familyName":"User {n}",'
    '"timezone":"Europe/Berlin"}'
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    env = bench_env(fresh_database())
    auth = f"Bearer {create_company(env)['apiKey']}"
    with server(env) as base:
        wrk(f"{base}/v4/user", auth=auth, method="POST", body=BODY, seconds=2)  # warm-up
        result = wrk(
            f"{base}/v4/user",
            auth=auth,
            method="POST",
            body=BODY,
            connections=args.connections,
            seconds=args.seconds,
        )
    print(table([(f"POST /v4/user (c={args.connections})", result)]))
    if result.non_2xx or result.socket_errors:
        raise SystemExit(f"{result.non_2xx} non-2xx, {result.socket_errors} socket errors")


if __name__ == "__main__":
    main()
