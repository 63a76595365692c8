"""`TenantRepository.get` answers from a row the session already holds without a query, and
only when the query would have returned that same row."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.db.tenancy import CompanyId
from slotwise.meeting_types.repository import HostRepository
from slotwise.models import User
from slotwise.settings import Settings
from slotwise.users.repository import UserRepository
from tests.support.factories import make_tenant


class Statements:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.sent.append(statement)


@pytest.fixture
def statements(sessions: async_sessionmaker[AsyncSession]) -> Iterator[Statements]:
    seen = Statements()
    engine = sessions.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    yield seen
    event.remove(engine, "before_cursor_execute", seen)


async def test_a_held_row_is_read_without_a_query(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], statements: Statements
) -> None:
    tenant = await make_tenant(settings)
    other = await make_tenant(settings, "Other")
    async with sessions() as session:
        hosts = HostRepository(session, tenant.company_id)
        held = await hosts.get_or_404(tenant.owner_id)
        statements.sent.clear()
        assert await hosts.get(tenant.owner_id) is held
        assert statements.sent == []
        # another company's repository never sees it: it asks the database, which says no
        assert await HostRepository(session, CompanyId(other.company_id)).get(held.id) is None
        assert len(statements.sent) == 1


async def test_a_row_the_query_could_answer_otherwise_is_queried(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], statements: Statements
) -> None:
    tenant = await make_tenant(settings)
    async with sessions() as session:
        hosts = HostRepository(session, tenant.company_id)
        held = await hosts.get_or_404(tenant.owner_id)
        session.expire(held, ["given_name"])  # expired: the query would read it again
        statements.sent.clear()
        assert await hosts.get(tenant.owner_id) is held
        assert len(statements.sent) == 1
        # a repository with a row filter (deleted users) asks every time
        assert await UserRepository(session, tenant.company_id).get(tenant.owner_id) is held
        assert len(statements.sent) == 2
        await session.delete(held)  # deleted in this session: the query would not find it
        assert await hosts.get(tenant.owner_id) is None
        assert await session.get(User, (tenant.company_id, tenant.owner_id)) is None
        await session.rollback()
