"""Test fixtures: a throwaway database migrated by Alembic, real Redis, app clients."""

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.app import create_app
from slotwise.cli.migrate import upgrade
from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.settings import Settings, load_settings
from tests.support.browser import serving
from tests.support.factories import Side, Tenant, make_side, make_tenant
from tests.support.webhook_receiver import Receiver, running_receiver


def _test_redis_db() -> int:
    """One logical Redis database per test process: parallel runs on one machine pick different
    bases (SLOTWISE_TEST_REDIS_DB), and pytest-xdist worker N counts down from the base."""
    base = int(os.environ.get("SLOTWISE_TEST_REDIS_DB", "15"))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    db = base - int(worker.removeprefix("gw"))
    if db < 0:
        raise RuntimeError("SLOTWISE_TEST_REDIS_DB is too small for this many test processes")
    return db


TEST_REDIS_DB = _test_redis_db()
#: the longest-running test files (about three minutes each for the fuzzing gate's two runs,
#: up to two for the others), started first so the two test processes finish together;
#: `scripts/test` keeps this order for pytest-xdist with `--no-loadscope-reorder`
SLOWEST_FIRST = (
    "tests/test_fuzzing.py",
    "tests/test_fuzzing_token.py",
    "tests/notifications/test_worker.py",
    "tests/web/test_docs_browser.py",
    "tests/cli/test_devservers.py",
    "tests/faults/test_redis_restart.py",
    "tests/calendars/test_worker.py",
    "tests/pages/test_booking_browser.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {path: n for n, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


#: SLOTWISE_SECRET_KEYS of every app, worker and server the tests run (a test key, no secret)
TEST_SECRET_KEYS = "n8cN5tFW-Tm6aHbJYHHSsjkZ0f4Lqb3aE7kBdfKKpMI="


@pytest.fixture(scope="session")
def service_urls() -> Iterator[tuple[str, str]]:
    """DATABASE_URL and REDIS_URL when set; embedded servers in a temporary folder otherwise."""
    database, redis = os.environ.get("DATABASE_URL"), os.environ.get("REDIS_URL")
    if database and redis:
        yield database, redis
        return
    from slotwise.cli.dev import embedded_services

    folder = tempfile.mkdtemp(prefix="slotwise-test-")
    try:
        with embedded_services(folder, database, redis) as services:
            yield services.urls["DATABASE_URL"], services.urls["REDIS_URL"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def with_redis_db(url: str, db: int) -> str:
    """The same Redis server, another logical database (tests keep away from db 0)."""
    if url.startswith("unix://"):
        base = url.partition("?")[0]
        return f"{base}?db={db}"
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/{db}"


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")


async def _admin(admin_url: str, sql: str) -> None:
    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new empty database on the same server, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(admin_url, name)
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(service_urls: tuple[str, str]) -> Iterator[str]:
    """A fresh database for this run, built by the Alembic migrations, dropped afterwards."""
    with scratch_database(service_urls[0], "slotwise_test") as url:
        upgrade(url)
        yield url


@pytest.fixture
def settings(database_url: str, service_urls: tuple[str, str]) -> Settings:
    return load_settings(
        {},
        database_url=database_url,
        redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
        argon2_profile="cheapest",
        public_url="https://book.example.test",
        db_pool_size=5,
        secret_keys=TEST_SECRET_KEYS,
    )


async def _truncate_all(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
        if tables:
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            # the audit log refuses truncation but to a transaction that declares a purge
            async with conn.transaction():
                await conn.execute("SET LOCAL slotwise.audit_purge = 'on'")
                await conn.execute(f"TRUNCATE {names} CASCADE")
    finally:
        await conn.close()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    """The real app against the test database; committed rows are removed after the test."""
    yield create_app(settings)
    assert settings.database_url is not None
    await _truncate_all(settings.database_url)
    redis = Redis.from_url(settings.redis_url or "")
    await redis.flushdb()
    await redis.aclose()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app) as test_client:
        yield test_client


@pytest.fixture
async def side_a(app: Litestar, settings: Settings) -> Side:
    return await make_side(settings, "Alpha")


@pytest.fixture
async def side_b(app: Litestar, settings: Settings) -> Side:
    return await make_side(settings, "Bravo")


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(settings)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local HTTP server standing for a customer's endpoint (webhooks, images to import)."""
    with running_receiver() as running:
        yield running


@pytest.fixture(scope="module")
def live_app(database_url: str, service_urls: tuple[str, str]) -> Iterator[tuple[str, Tenant]]:
    """The app served on a local port (uvicorn in a thread) with one company, for tests that
    reach it over HTTP (a generated client, a browser); its rows are removed afterwards."""
    settings = load_settings(
        {},
        database_url=database_url,
        redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
        argon2_profile="cheapest",
        db_pool_size=5,
        secret_keys=TEST_SECRET_KEYS,
    )
    with serving(lambda _: create_app(settings)) as base_url:
        yield base_url, asyncio.run(make_tenant(settings, "Live"))
    asyncio.run(_truncate_all(database_url))
