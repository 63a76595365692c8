"""GET /v4/booking-availability on `slotwise serve` (one worker): 1 host, 31 days, a weekly
schedule with breaks, 500 busy appointments; compared with the unauthenticated health endpoint.

    uv run python -m bench.slots_endpoint [--seconds 10] [--connections 16] [--server S]
        [--credential-cache-seconds 60]

The first table row repeats one request, answered from the slot cache after the first time (as
a booking page refreshing the same month is); the second turns the cache off, so every request
loads the rules and the busy time and runs the engine (as the first request after a change does).
"""

import argparse
import asyncio
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from bench.common import (
    add_appointments,
    bench_env,
    create_company,
    fresh_database,
    make_host,
    server,
    table,
    wrk,
)

ZONE = ZoneInfo("Europe/Berlin")
DAYS = 31
BUSY = 500
HOURS = [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "20:00"}]
#: the benchmarked meeting type: 30 minutes with 5 minutes of buffer on each side
MEETING_TYPE = {
    "name": "Bench call",
    "duration": 30,
    "channel": "zoom",
    "bufferBefore": 5,
    "bufferAfter": 5,
}


def first_day() -> date:
    return datetime.now(ZONE).date() + timedelta(days=7)


async def add_busy(url: str, user_id: str, meeting_type_id: str) -> None:
    """BUSY appointments of 15 minutes with 5 minutes of buffer, every 40 minutes from 08:00
    over the benchmarked days."""
    per_day = -(-BUSY // DAYS)
    starts = [
        datetime.combine(first_day() + timedelta(days=n // per_day), time(0), ZONE)
        + timedelta(minutes=8 * 60 + (n % per_day) * 40)
        for n in range(BUSY)
    ]
    await add_appointments(url, user_id, meeting_type_id, starts, minutes=15, buffers=5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--server", choices=["granian", "uvicorn"], default="granian")
    parser.add_argument(
        "--credential-cache-seconds",
        type=int,
        default=0,
        help="SLOTWISE_CREDENTIAL_CACHE_SECONDS of the server (0: credentials read every time)",
    )
    args = parser.parse_args()
    url = fresh_database()
    env = bench_env(url, SLOTWISE_CREDENTIAL_CACHE_SECONDS=str(args.credential_cache_seconds))
    auth = f"Bearer {create_company(env)['apiKey']}"
    with server(env, kind=args.server) as base:
        host = make_host(
            base,
            auth,
            HOURS,
            MEETING_TYPE,
        )
        user_id, meeting_type_id = host.user_id, host.meeting_type_id
        asyncio.run(add_busy(url, user_id, meeting_type_id))
        first = first_day()
        slots_url = (
            f"{base}/v4/booking-availability?meetingTypeId={meeting_type_id}"
            f"&start={first}&end={first + timedelta(days=DAYS - 1)}"
        )
        sample = httpx.get(slots_url, headers={"Authorization": auth}).json()
        count = sum(len(d["spots"]) for d in sample["dates"])
        wrk(slots_url, auth=auth, seconds=2)  # warm-up
        wrk(f"{base}/health/live", seconds=2)
        health = wrk(f"{base}/health/live", connections=args.connections, seconds=args.seconds)
        slots = wrk(slots_url, auth=auth, connections=args.connections, seconds=args.seconds)
    # every request computed from the database: what the first request after a change costs
    uncached_env = env | {"SLOTWISE_SLOT_CACHE_SIZE": "0"}
    with server(uncached_env, port=8766, kind=args.server) as uncached_base:
        uncached_url = slots_url.replace(base, uncached_base)
        wrk(uncached_url, auth=auth, seconds=2)
        uncached = wrk(uncached_url, auth=auth, connections=args.connections, seconds=args.seconds)
    print(json.dumps({"slots_listed": count, "busy_frames": len(sample["timeframes"])}))
    print(
        table(
            [
                ("GET /health/live", health),
                (f"GET /v4/booking-availability (c={args.connections})", slots),
                (f"  same, slot cache off (c={args.connections})", uncached),
            ]
        )
    )
    print(
        f"slots / health throughput: {slots.requests_per_second / health.requests_per_second:.3f}"
    )


if __name__ == "__main__":
    main()
