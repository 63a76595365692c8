"""Two `slotwise migrate` runs started together: one migrates while the other waits, then the
second finds the schema current."""

import asyncio
import os
import sys
import time

import asyncpg
from alembic.script import ScriptDirectory

from slotwise.cli.migrate import MIGRATION_LOCK_KEY, alembic_config
from tests.conftest import scratch_database

# pg_locks shows a bigint advisory key as its two halves, objsubid 1
LOCKS = """
SELECT count(*) FILTER (WHERE granted) AS holding, count(*) FILTER (WHERE NOT granted) AS waiting
FROM pg_locks
WHERE locktype = 'advisory' AND objsubid = 1 AND classid = $1::oid AND objid = $2::oid
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""
HALVES = (MIGRATION_LOCK_KEY >> 32, MIGRATION_LOCK_KEY & 0xFFFFFFFF)
WAIT_SECONDS = 60


async def _locks(conn: asyncpg.Connection) -> tuple[int, int]:
    row = await conn.fetchrow(LOCKS, *HALVES)
    assert row is not None
    return row["holding"], row["waiting"]


async def _until_waiting(conn: asyncpg.Connection, runs: list[asyncio.subprocess.Process]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while (await _locks(conn))[1] < len(runs):
        assert all(run.returncode is None for run in runs), "a run ended without the lock"
        assert time.monotonic() < deadline, "the runs never waited on the lock"
        await asyncio.sleep(0.02)


async def _migrate(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "slotwise", "migrate"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _race(url: str, redis_url: str) -> set[tuple[int, int]]:
    """Hold the lock while both runs start, let go, and note who holds and waits until both end."""
    watcher = await asyncpg.connect(url)
    runs: list[asyncio.subprocess.Process] = []
    try:
        await watcher.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url}
        runs += [await _migrate(env), await _migrate(env)]
        await _until_waiting(watcher, runs)
        created = await watcher.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
        assert not created, "a run migrated without the lock"
        await watcher.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        outputs = asyncio.gather(*(run.communicate() for run in runs))
        seen: set[tuple[int, int]] = set()
        while not outputs.done():
            seen.add(await _locks(watcher))
            await asyncio.sleep(0.01)
        for run, (out, err) in zip(runs, await outputs, strict=True):
            assert run.returncode == 0, err.decode()
            assert b"database migrated to head" in out
        return seen
    finally:
        for run in runs:
            if run.returncode is None:
                run.kill()
                await run.communicate()
        await watcher.close()


def test_concurrent_migrations_take_turns(service_urls: tuple[str, str]) -> None:
    with scratch_database(service_urls[0], "slotwise_migr") as url:
        seen = asyncio.run(_race(url, service_urls[1]))
        assert (1, 1) in seen, f"never saw one run migrating while the other waited: {seen}"
        assert all(holding <= 1 for holding, _ in seen)
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        version = asyncio.run(_version(url))
        assert version == head


async def _version(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        return str(await conn.fetchval("SELECT version_num FROM alembic_version"))
    finally:
        await conn.close()
