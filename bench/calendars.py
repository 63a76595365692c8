"""Connected calendars: the slot endpoint with 3 synced calendars of 1,000 events each against
the same host with none, and the time one sync of an unchanged calendar takes (Radicale).

    uv run python -m bench.calendars [--seconds 10] [--connections 16]

Both slot rows run with the slot cache off (every request reads the busy time and runs the
engine: the case the calendars add work to), one after the other on one server.
"""

import argparse
import asyncio
import json
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from bench.common import (
    BENCH_SECRET_KEY,
    bench_env,
    create_company,
    free_port,
    fresh_database,
    make_host,
    server,
    table,
    wrk,
)
from slotwise.calendars.secrets import Login, seal
from slotwise.calendars.sync import Syncer
from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.db.tenancy import CompanyId
from slotwise.kit.sealing import Keyring
from slotwise.settings import load_settings

ZONE = ZoneInfo("Europe/Berlin")
DAYS = 31
CALENDARS = 3
EVENTS = 1000
HOURS = [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "20:00"}]


def first_day() -> date:
    return datetime.now(ZONE).date() + timedelta(days=7)


async def add_calendars(url: str, user_id: str) -> None:
    """3 connections, each with one calendar of 1,000 one-hour events spread over a year (about
    85 in the 31-day window), synced just now."""
    keyring = Keyring.parse(BENCH_SECRET_KEY)
    conn = await asyncpg.connect(url)
    try:
        company = await conn.fetchval(
            'SELECT company_id FROM "user" WHERE id = $1', uuid.UUID(user_id)
        )
        now = datetime.now(UTC)
        for n in range(CALENDARS):
            connection_id, calendar_id = uuid.uuid4(), uuid.uuid4()
            login = seal(keyring, connection_id, Login("https://calendar.bench.test/"))
            await conn.execute(
                "INSERT INTO calendar_connection (company_id, id, user_id, provider, credentials,"
                " is_primary, status, error_notified, synced_at)"
                " VALUES ($1, $2, $3, 'caldav', $4, false, 'connected', false, $5)",
                company, connection_id, uuid.UUID(user_id), login, now,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO calendar (company_id, id, connection_id, href, name, read_only,"
                " is_selected, receives_bookings) VALUES ($1, $2, $3, $4, 'Bench', false, true,"
                " false)",
                company, calendar_id, connection_id, f"https://calendar.bench.test/{n}/",
            )  # fmt: skip
            start = datetime.combine(first_day(), datetime.min.time(), ZONE)
            rows = []
            for k in range(EVENTS):
                at = start + timedelta(hours=9 + (k * 7 + n * 3) % 11, days=k * 365 // EVENTS)
                rows.append(
                    (company, uuid.uuid4(), calendar_id, connection_id, uuid.UUID(user_id),
                     at.astimezone(UTC), (at + timedelta(hours=1)).astimezone(UTC))
                )  # fmt: skip
            await conn.executemany(
                "INSERT INTO calendar_busy (company_id, id, calendar_id, connection_id, user_id,"
                " start_at, end_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                rows,
            )
    finally:
        await conn.close()


async def unchanged_sync_ms(url: str, runs: int = 20) -> dict[str, float]:
    """Radicale with one calendar of 1,000 events: the first sync (reads and parses it all),
    then `runs` syncs of the unchanged calendar (one PROPFIND each)."""
    from tests.support.radicale import running_radicale, vevent  # noqa: PLC0415 - dev only

    settings = load_settings({}, database_url=url, secret_keys=BENCH_SECRET_KEY)
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    keyring = settings.keyring()
    try:
        with running_radicale() as radicale:
            calendar = radicale.make_calendar("bench", "Bench")
            day = first_day()
            events = []
            for k in range(EVENTS):
                on = day + timedelta(days=k * 365 // EVENTS)
                one = vevent(
                    f"e{k}",
                    f":{on:%Y%m%d}T{9 + k % 8:02d}0000Z",
                    f":{on:%Y%m%d}T{10 + k % 8:02d}0000Z",
                )
                events.append(one.split("BEGIN:VEVENT", 1)[1].split("END:VEVENT", 1)[0])
            whole = (
                "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//bench//EN\n"
                + "".join(f"BEGIN:VEVENT{body}END:VEVENT\n" for body in events)
                + "END:VCALENDAR\n"
            )
            with radicale.client() as http:  # one PUT of the whole collection
                answer = http.put(
                    calendar,
                    content=whole.replace("\n", "\r\n").encode(),
                    headers={"content-type": "text/calendar"},
                )
                assert answer.status_code in (201, 204), answer.text
            conn = await asyncpg.connect(url)
            try:
                row = await conn.fetchrow("SELECT company_id, id FROM calendar_connection LIMIT 1")
                company, connection_id = row[0], row[1]
                login = Login(radicale.url, "host", "s3cret-horse")
                await conn.execute(
                    "UPDATE calendar_connection SET credentials = $1, home_url = $2 WHERE id = $3",
                    seal(keyring, connection_id, login), f"{radicale.url}host/", connection_id,
                )  # fmt: skip
                await conn.execute(
                    "UPDATE calendar SET href = $1, version = NULL WHERE connection_id = $2",
                    calendar, connection_id,
                )  # fmt: skip
            finally:
                await conn.close()
            syncer = Syncer(sessions, keyring, allow_private=True)
            started = time.perf_counter()
            first = await syncer.sync(CompanyId(company), connection_id)
            full = (time.perf_counter() - started) * 1000
            assert first.parsed == 1, first
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                outcome = await syncer.sync(CompanyId(company), connection_id)
                times.append((time.perf_counter() - started) * 1000)
                assert outcome.parsed == 0, outcome
            return {"first_sync_ms": round(full, 1), "unchanged_sync_ms_median": round(
                statistics.median(times), 2)}  # fmt: skip
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    url = fresh_database("slotwise_bench_calendars")
    env = bench_env(url, SLOTWISE_SLOT_CACHE_SIZE="0", SLOTWISE_CALENDAR_STALE_SECONDS="86400")
    auth = f"Bearer {create_company(env)['apiKey']}"
    with server(env, port=free_port()) as base:
        host = make_host(
            base, auth, HOURS, {"name": "Bench call", "duration": 30, "channel": "zoom"}
        )
        first = first_day()
        slots_url = (
            f"{base}/v4/booking-availability?meetingTypeId={host.meeting_type_id}"
            f"&start={first}&end={first + timedelta(days=DAYS - 1)}"
        )
        wrk(slots_url, auth=auth, seconds=2)  # warm-up
        bare = wrk(slots_url, auth=auth, connections=args.connections, seconds=args.seconds)
        asyncio.run(add_calendars(url, host.user_id))
        wrk(slots_url, auth=auth, seconds=2)
        busy = wrk(slots_url, auth=auth, connections=args.connections, seconds=args.seconds)
    sync = asyncio.run(unchanged_sync_ms(url))
    print(json.dumps(sync))
    print(
        table(
            [
                ("slots, no calendars (cache off)", bare),
                (f"slots, {CALENDARS} calendars x {EVENTS} events (cache off)", busy),
            ]
        )
    )
    print(f"with / without calendars: {busy.requests_per_second / bare.requests_per_second:.3f}")


if __name__ == "__main__":
    main()
