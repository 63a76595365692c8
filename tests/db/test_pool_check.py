"""The pool's checkout check: a connection the server ended is replaced without a failed
request."""

import asyncio

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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


async def test_a_connection_the_server_ended_is_replaced(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await _backend(sessions)
    admin = await asyncpg.connect(settings.database_url)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        # the server's goodbye reaches the idle pooled connection through the event loop
        for _ in range(200):
            if not await admin.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", first
            ):
                break
            await asyncio.sleep(0.01)
    finally:
        await admin.close()
    second = await _backend(sessions)  # no error: the pool replaced the dead connection
    assert second not in (0, first)
