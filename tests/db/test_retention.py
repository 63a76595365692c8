"""Stored Idempotency-Key answers are deleted once their 24 hours have passed, for every
company, and not before."""

import uuid
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.db import retention
from slotwise.settings import Settings
from slotwise.worker import purge_replays
from tests.support.bookings import execute, fetch
from tests.support.factories import make_tenant

INSERT = (
    "INSERT INTO idempotency_record (id, company_id, credential_id, key_digest, fingerprint,"
    " status_code, headers, body, expires_at) VALUES ($1, $2, $1, $3, 'f', 201, '{}', 'x', $4)"
)


async def _store(settings: Settings, company_id: uuid.UUID, digest: str, at: datetime) -> None:
    await execute(settings, INSERT, uuid.uuid4(), company_id, digest, at)


async def _digests(settings: Settings) -> set[str]:
    rows = await fetch(settings, "SELECT key_digest FROM idempotency_record")
    return {row["key_digest"] for row in rows}


async def test_expired_answers_go_for_every_company_and_live_ones_stay(
    app: Litestar, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    now = datetime.now(UTC)
    for name in ("Alpha", "Bravo"):
        tenant = await make_tenant(settings, name)
        await _store(settings, tenant.company_id, f"{name}-old", now - timedelta(minutes=1))
        await _store(settings, tenant.company_id, f"{name}-live", now + timedelta(hours=23))
    assert await purge_replays({"sessionmaker": sessions}) == 2
    assert await _digests(settings) == {"Alpha-live", "Bravo-live"}
    assert await purge_replays({"sessionmaker": sessions}) == 0


async def test_a_large_backlog_goes_in_batches(
    app: Litestar, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await make_tenant(settings, "Charlie")
    past = datetime.now(UTC) - timedelta(days=2)
    for index in range(5):
        await _store(settings, tenant.company_id, f"old-{index}", past)
    async with sessions() as session, session.begin():
        assert await retention.purge_expired_replays(session, datetime.now(UTC), batch=2) == 2
    assert len(await _digests(settings)) == 3
    assert await purge_replays({"sessionmaker": sessions}) == 3
    assert await _digests(settings) == set()
