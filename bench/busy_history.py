"""The busy-time query against a host's history: time per query and rows read.

    uv run python -m bench.busy_history [--history 0 2000 20000] [--queries 300]

Every booking check and uncached slot answer asks which appointments of the host overlap a
window. A host in use has a past: the benchmark gives one host N past appointments (and the
tables their statistics), then runs the query the booking check runs (a window of 45 minutes
around one appointment) through `BusyTimeRepository` and prints the mean time per query over
one connection and the rows the plan read from `appointment_host` and `appointment` (EXPLAIN
ANALYZE). Neither should grow with the history.
"""

import argparse
import asyncio
import time
import uuid
from datetime import datetime, timedelta
from datetime import time as wall
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import (
    add_appointments,
    bench_env,
    create_company,
    fresh_database,
    make_host,
    server,
)
from slotwise.db.session import create_engine, create_sessionmaker, driver_connection
from slotwise.db.tenancy import CompanyId
from slotwise.settings import load_settings
from slotwise.slots import repository

ZONE = ZoneInfo("Europe/Berlin")


def _rows_read(plan: dict[str, Any], table: str) -> int:
    rows = 0
    if plan.get("Relation Name") == table:
        loops = plan.get("Actual Loops", 1)
        rows += (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * loops
    return rows + sum(_rows_read(child, table) for child in plan.get("Plans", []))


async def measure(
    env: dict[str, str], user_id: str, day: datetime, queries: int
) -> tuple[float, int, int, int]:
    """(ms per query, rows returned, rows read of appointment_host and of appointment)."""
    settings = load_settings(env)
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            driver = await driver_connection(session)
            host = uuid.UUID(user_id)
            company = CompanyId(
                await driver.fetchval('SELECT company_id FROM "user" WHERE id = $1', host)
            )
            busy = repository.BusyTimeRepository(session, company)
            start, end = day - timedelta(minutes=15), day + timedelta(minutes=30)
            hosts = [host]
            rows = await busy.of_hosts(hosts, start, end, start)
            began = time.perf_counter()
            for _ in range(queries):
                await busy.of_hosts(hosts, start, end, start)
            elapsed = (time.perf_counter() - began) * 1000 / queries
            explained = await driver.fetchval(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + repository._BUSY_SQL,
                company,
                hosts,
                start,
                end,
                start,
                None,
                True,
            )
    finally:
        await engine.dispose()
    plan = explained[0]["Plan"]
    return (
        elapsed,
        len(rows),
        _rows_read(plan, "appointment_host"),
        _rows_read(plan, "appointment"),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--history", type=int, nargs="+", default=[0, 2000, 20000])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    day = datetime.combine(datetime.now(ZONE).date() + timedelta(days=7), wall(10), ZONE)
    print(
        f"{'history':>8}{'ms/query':>10}{'rows':>6}{'host rows read':>16}{'appointments read':>19}"
    )
    for history in args.history:
        url = fresh_database("slotwise_bench_busy")
        env = bench_env(url)
        auth = f"Bearer {create_company(env)['apiKey']}"
        with server(env) as base:
            host = make_host(
                base,
                auth,
                [{"start": "08:00", "end": "18:00"}],
                {"name": "Call", "duration": 30, "channel": "zoom"},
            )
        past = [day - timedelta(hours=2 * n) for n in range(1, history + 1)]
        asyncio.run(
            add_appointments(url, host.user_id, host.meeting_type_id, [day, *past], minutes=30)
        )
        ms, rows, hosts_read, read = asyncio.run(measure(env, host.user_id, day, args.queries))
        print(f"{history:>8}{ms:>10.3f}{rows:>6}{hosts_read:>16}{read:>19}")


if __name__ == "__main__":
    main()
