"""The pool's checkout check: a connection the server ended is replaced without a failed
request."""

import asyncio

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.db.session import fetch_first
from slotwise.settings import Settings


async def _backend(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def _last_query(settings: Settings, pid: int) -> str:
    admin = await asyncpg.connect(settings.database_url)
    try:
        return str(await admin.fetchval("SELECT query FROM pg_stat_activity WHERE pid = $1", pid))
    finally:
        await admin.close()


async def _terminate(settings: Settings, pid: int) -> None:
    """End the backend of an idle pooled connection, as a restart or failover would."""
    admin = await asyncpg.connect(settings.database_url)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        # the server's goodbye reaches the idle pooled connection through the event loop
        for _ in range(200):
            if not await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid
            ):
                break
            await asyncio.sleep(0.01)
    finally:
        await admin.close()


async def test_a_connection_the_server_ended_is_replaced(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await _backend(sessions)
    await _terminate(settings, first)
    second = await _backend(sessions)  # no error: the pool replaced the dead connection
    assert second not in (0, first)


async def test_a_first_read_on_a_connection_the_server_ended_runs_again(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """`fetch_first` (the credential read) is its connection's check: no `SELECT 1` at the
    checkout, and a dead connection is replaced and the read run again, not failed."""
    first = await _backend(sessions)
    await _terminate(settings, first)
    async with sessions() as session:
        row = await fetch_first(session, "SELECT pg_backend_pid() AS pid")
    assert row["pid"] not in (0, first)
    async with sessions() as session:  # a live connection: the read with its arguments
        again = await fetch_first(session, "SELECT $1::int AS n", 7)
    assert again["n"] == 7
