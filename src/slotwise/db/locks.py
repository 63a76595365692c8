"""Transaction-scoped advisory locks, named by text: released by commit or rollback, never leaked.

PostgreSQL hashes the name to the 64-bit key (`hashtextextended`), so every process that uses
the same name takes the same lock.
"""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def lock(session: AsyncSession, name: str) -> None:
    """Wait for the lock `name` until this transaction ends."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(name, 0))))


async def try_lock(session: AsyncSession, name: str) -> bool:
    """Take the lock `name` for this transaction if nobody holds it; False otherwise."""
    key = func.hashtextextended(name, 0)
    return bool(await session.scalar(select(func.pg_try_advisory_xact_lock(key))))
