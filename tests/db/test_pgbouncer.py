"""The app behind a real PgBouncer in transaction pooling (Debian's package).

PgBouncer gets fewer server connections than the app opens and hands them out round robin, so
consecutive transactions of one app connection run on different server connections: a statement
prepared under a name in one is missing in the next. With SLOTWISE_DB_PGBOUNCER on, concurrent
requests of the main flow all succeed; with it off, the same statements fail.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from litestar import Litestar
from sqlalchemy import select

from slotwise.cli.migrate import upgrade
from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.db.unscoped import find_credential
from slotwise.models import User
from slotwise.settings import Settings, load_settings
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, scratch_database, with_redis_db
from tests.support.bookings import monday
from tests.support.factories import attendee_body, make_tenant
from tests.support.pgbouncer import APPLICATION_NAME, running_pgbouncer
from tests.support.servers import running_server

pytestmark = pytest.mark.slow

#: server connections PgBouncer keeps for the database; the app opens up to 30
POOL_SIZE = 4
#: requests sent at once in each step
AT_ONCE = 20


@pytest.fixture(scope="module")
def bouncer_url(database_url: str) -> Iterator[str]:
    """The test database reached through PgBouncer."""
    with running_pgbouncer(database_url, pool_size=POOL_SIZE) as url:
        yield url


@pytest.fixture(scope="module")
def server(bouncer_url: str, service_urls: tuple[str, str]) -> Iterator[str]:
    """`slotwise serve` reaching the database only through PgBouncer, the setting on."""
    settings = load_settings(
        {},
        database_url=bouncer_url,
        redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
        argon2_profile="cheapest",
        public_url="https://book.example.test",
        secret_keys=TEST_SECRET_KEYS,
    )
    with running_server(settings, extra_env={"SLOTWISE_DB_PGBOUNCER": "true"}) as base:
        yield base


@pytest.fixture
async def http(server: str, app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the server; `app` cleans the database after the test."""
    async with httpx.AsyncClient(base_url=server, timeout=60) as client:
        yield client


async def at_once(calls: list[Any]) -> list[httpx.Response]:
    return list(await asyncio.gather(*calls))


def expect(responses: list[httpx.Response], status: int) -> list[dict[str, Any]]:
    assert [r.status_code for r in responses] == [status] * len(responses), [
        r.text for r in responses if r.status_code != status
    ]
    return [r.json() for r in responses]


async def test_main_flow_runs_concurrently_through_pgbouncer(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    tenant = await make_tenant(settings, "Bouncer")
    users = expect(
        await at_once(
            [
                http.post(
                    "/v4/user",
                    json={
                        "email": f"host-{n}@bouncer.test",
                        "givenName": "Host",
                        "familyName": str(n),
                        "timezone": "Europe/Berlin",
                    },
                    headers=tenant.headers(),
                )
                for n in range(AT_ONCE)
            ]
        ),
        201,
    )
    day = monday()
    slots = expect(
        await at_once(
            [
                http.get(
                    "/v4/booking-availability",
                    params={
                        "meetingTypeId": user["meetingTypeId"],
                        "start": day.isoformat(),
                        "end": (day + timedelta(days=1)).isoformat(),
                        "timezone": "Europe/Berlin",
                    },
                    headers=tenant.headers(uuid.UUID(user["userId"])),
                )
                for user in users
            ]
        ),
        200,
    )
    # each host's n-th slot of the two days, so the bookings differ in time too
    starts = [
        [spot["startTime"] for date in slot["dates"] for spot in date["spots"]][n]
        for n, slot in enumerate(slots)
    ]
    created = expect(
        await at_once(
            [
                http.post(
                    "/v4/booking",
                    json={
                        "meetingTypeId": user["meetingTypeId"],
                        "start": start,
                        "attendee": attendee_body(f"guest-{n}@example.test"),
                    },
                    headers=tenant.headers(),
                )
                for n, (user, start) in enumerate(zip(users, starts, strict=True))
            ]
        ),
        201,
    )
    read = expect(
        await at_once(
            [
                http.get(
                    f"/v4/appointment/{booking['appointmentId']}",
                    headers=tenant.headers(uuid.UUID(user["userId"])),
                )
                for user, booking in zip(users, created, strict=True)
            ]
        ),
        200,
    )
    for n, (user, appointment) in enumerate(zip(users, read, strict=True)):
        assert appointment["hostIds"] == [user["userId"]]
        assert appointment["attendees"][0]["email"] == f"guest-{n}@example.test"
        assert datetime.fromisoformat(appointment["start"]) == datetime.fromisoformat(starts[n])
    # the server connections PgBouncer opened are all the app used, far fewer than its requests
    conn = await asyncpg.connect(settings.database_url)
    try:
        servers = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = $1 AND datname = current_database()",
            APPLICATION_NAME,
        )
    finally:
        await conn.close()
    assert 1 <= servers <= POOL_SIZE


async def _traffic(settings: Settings) -> list[BaseException]:
    """What every request does, from many connections at once: the credential lookup (raw
    asyncpg) and ORM reads, each request its own transaction; the errors it met."""
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)

    async def request(n: int) -> None:
        for _ in range(3):
            async with sessions() as session, session.begin():
                await find_credential(session, f"lookup-{n}", None)
                await session.scalar(select(User).where(User.email == f"{n}@none.test"))

    try:
        outcomes = await asyncio.gather(
            *(request(n) for n in range(AT_ONCE)), return_exceptions=True
        )
    finally:
        await engine.dispose()
    return [o for o in outcomes if isinstance(o, BaseException)]


async def test_prepared_statement_caches_break_behind_pgbouncer(
    bouncer_url: str, settings: Settings
) -> None:
    behind = msgspec.structs.replace(settings, database_url=bouncer_url)
    errors = await _traffic(msgspec.structs.replace(behind, db_pgbouncer=False))
    assert errors, "the cached prepared statements were expected to fail behind PgBouncer"
    assert all("prepared statement" in str(e) for e in errors), errors
    assert await _traffic(msgspec.structs.replace(behind, db_pgbouncer=True)) == []


async def _version(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("SELECT version_num FROM alembic_version"))
    finally:
        await conn.close()


def test_migrations_run_through_pgbouncer(database_url: str) -> None:
    """`slotwise migrate` runs every migration in one transaction, so the pool does not break
    it (PgBouncer here sends every database name on to the same server)."""
    with scratch_database(database_url, "slotwise_bounced") as fresh:
        with running_pgbouncer(fresh, pool_size=POOL_SIZE) as through:
            upgrade(through)
        assert asyncio.run(_version(fresh)) == asyncio.run(_version(database_url))
