"""Calendar fixtures: a Radicale server per module, private networks allowed (it listens on
127.0.0.1), and helpers that run the sync and push jobs' work the way the worker does."""

import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.calendars.push import Pusher
from slotwise.calendars.sync import Outcome, Syncer
from slotwise.db.tenancy import CompanyId
from slotwise.settings import Settings
from tests.support import bookings as support
from tests.support.factories import Side
from tests.support.radicale import PASSWORD, Radicale, running_radicale

_USERS = itertools.count(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings, calendar_allow_private_networks=True, webhook_allow_private_networks=True
    )


@pytest.fixture(scope="module")
def radicale() -> Iterator[Radicale]:
    with running_radicale() as server:
        yield server


@dataclass(frozen=True)
class Account:
    """A Radicale user of one test, with a Work and a Private calendar."""

    server: Radicale
    user: str
    work: str
    private: str

    def body(self, **extra: Any) -> dict[str, Any]:
        return {
            "provider": "caldav",
            "url": self.server.url,
            "username": self.user,
            "password": PASSWORD,
        } | extra


@pytest.fixture
def account(radicale: Radicale) -> Account:
    user = f"host{next(_USERS)}-{uuid.uuid4().hex[:6]}"
    radicale.add_user(user)
    work = radicale.make_calendar("work", "Work", user)
    private = radicale.make_calendar("private", "Private", user)
    return Account(radicale, user, work, private)


@pytest.fixture
def syncer(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> Syncer:
    return Syncer(sessions, settings.keyring(), allow_private=True, retry_after=timedelta(0))


@pytest.fixture
def pusher(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> Pusher:
    return Pusher(sessions, settings.keyring(), allow_private=True, timeout_seconds=5)


async def sync(syncer: Syncer, side: Side, connection_id: str) -> Outcome:
    return await syncer.sync(CompanyId(side.tenant.company_id), uuid.UUID(connection_id))


async def push_all(settings: Settings, pusher: Pusher) -> list[str | None]:
    """Run every due push once (as the relay and the push job would)."""
    rows = await support.fetch(
        settings,
        "SELECT id FROM calendar_push WHERE status = 'queued' AND next_attempt_at <= now()"
        " ORDER BY created_at",
    )
    results = []
    for row in rows:
        status = await pusher.push(row["id"])
        results.append(None if status is None else status.value)
    return results


async def starts(
    client: AsyncTestClient[Litestar], side: Side, meeting_type: dict[str, Any], day: date
) -> list[str]:
    """The slot start times offered on `day` (local ISO strings)."""
    body = await slots(client, side, meeting_type, day)
    return [spot["startTime"] for d in body["dates"] for spot in d["spots"]]


async def slots(
    client: AsyncTestClient[Litestar],
    side: Side,
    meeting_type: dict[str, Any],
    day: date,
    last: date | None = None,
    **query: str,
) -> dict[str, Any]:
    params = {
        "meetingTypeId": meeting_type["id"],
        "start": day.isoformat(),
        "end": (last or day).isoformat(),
    } | query
    response = await client.get(
        "/v4/booking-availability", params=params, headers=side.tenant.headers()
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not done in time"
        await asyncio.sleep(0.1)
