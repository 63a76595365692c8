"""granian vs uvicorn under `slotwise serve` (one worker): the measurement behind the default.

uv run python -m bench.servers [--seconds 10]
"""

import argparse

from bench.common import bench_env, create_company, fresh_database, server, table, wrk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    env = bench_env(fresh_database())
    auth = f"Bearer {create_company(env)['apiKey']}"
    rows = []
    for kind in ("granian", "uvicorn"):
        with server(env, kind=kind) as base:
            wrk(f"{base}/health/live", seconds=2)  # warm-up
            wrk(f"{base}/v4/user/me", auth=auth, seconds=2)
            rows.append((f"{kind} /health/live", wrk(f"{base}/health/live", seconds=args.seconds)))
            me = wrk(f"{base}/v4/user/me", auth=auth, seconds=args.seconds)
            rows.append((f"{kind} /v4/user/me", me))
    print(table(rows))


if __name__ == "__main__":
    main()
