"""A failed statement's error, and so any log line made of it, does not list its values."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


async def test_failed_statements_do_not_show_their_parameters(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    secret = "maria.garcia@example.com"
    async with sessions() as session:
        with pytest.raises(DBAPIError) as failed:
            await session.execute(text("SELECT CAST(:value AS text), 1 / 0"), {"value": secret})
    assert secret not in str(failed.value)
    assert "parameters hidden" in str(failed.value)
