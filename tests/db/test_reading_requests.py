"""Reading requests run outside a transaction: no BEGIN or COMMIT round trips, and a write or
a lock there is refused rather than silently neither atomic nor held."""

from types import SimpleNamespace
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.db.session import (
    READING,
    STANDALONE_WRITE,
    WRITES,
    WriteInReadingRequest,
    create_engine,
    create_sessionmaker,
    reads_only,
)
from slotwise.models import Credential
from slotwise.settings import Settings
from tests.support.factories import Side


def _scope(method: str, **opt: Any) -> Any:
    return {"method": method, "route_handler": SimpleNamespace(opt=opt)}


def test_only_gets_and_heads_that_do_not_say_they_write_are_reads() -> None:
    assert reads_only(_scope("GET"))
    assert reads_only(_scope("HEAD"))
    assert not reads_only(_scope("GET", **{WRITES: True}))
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert not reads_only(_scope(method))


@pytest.fixture
async def reading(settings: Settings) -> Any:
    engine = create_engine(settings)
    yield create_sessionmaker(engine, reading=True)
    await engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE credential SET active = active WHERE false",
        "INSERT INTO credential_lookup SELECT * FROM credential_lookup WHERE false",
        "DELETE FROM credential WHERE false",
        "SELECT id FROM credential FOR UPDATE",
        "SELECT id FROM credential FOR NO KEY UPDATE",
        "select id from credential for share",
        "SELECT pg_advisory_xact_lock(1)",
        "WITH gone AS (DELETE FROM credential WHERE false RETURNING id) SELECT * FROM gone",
    ],
)
async def test_a_reading_session_refuses_writes_and_locks(
    reading: async_sessionmaker[AsyncSession], statement: str
) -> None:
    async with reading() as session:
        with pytest.raises(WriteInReadingRequest):
            await session.execute(text(statement))
        assert await session.scalar(text("SELECT 1")) == 1  # reads still run


async def test_a_reading_session_runs_outside_any_transaction(
    reading: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with reading() as session:
        connection = await session.connection()
        assert connection.sync_connection is not None
        assert connection.sync_connection.get_execution_options()[READING] is True
        first = await session.scalar(text("SELECT now()"))
        await session.execute(text("SELECT pg_sleep(0.01)"))
        # each statement is a transaction of its own, so the transaction time moves on
        assert await session.scalar(text("SELECT now()")) != first


async def test_a_standalone_write_commits_on_its_own(
    reading: async_sessionmaker[AsyncSession], settings: Settings, side_a: Side
) -> None:
    lookup_id = str(side_a.tenant.key_id)
    stmt = (
        update(Credential)
        .where(Credential.company_id == side_a.tenant.company_id, Credential.lookup_id == lookup_id)
        .values(name="touched")
        .execution_options(**{STANDALONE_WRITE: True})
    )
    async with reading() as session:
        await session.execute(stmt)
        await session.rollback()  # nothing to roll back: it is in already
    other = await asyncpg.connect(settings.database_url)
    try:
        name = await other.fetchval("SELECT name FROM credential WHERE lookup_id = $1", lookup_id)
    finally:
        await other.close()
    assert name == "touched"


async def test_reading_requests_record_credential_use(
    app: Litestar, settings: Settings, side_a: Side
) -> None:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            await session.execute(
                update(Credential)
                .where(Credential.lookup_id == str(side_a.tenant.key_id))
                .values(last_used_at=None)
            )
            await session.commit()
        async with AsyncTestClient(app) as client:
            response = await client.get("/v4/user/me", headers=side_a.tenant.headers())
        assert response.status_code == 200
        async with create_sessionmaker(engine)() as session:
            used = await session.scalar(
                select(Credential.last_used_at).where(
                    Credential.lookup_id == str(side_a.tenant.key_id)
                )
            )
    finally:
        await engine.dispose()
    assert used is not None
