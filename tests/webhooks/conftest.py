"""Webhook fixtures: private networks allowed (the receiver is on 127.0.0.1), a fake clock, a
database session factory and a deliverer bound to them."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.settings import Settings
from slotwise.webhooks.delivery import Deliverer
from slotwise.webhooks.sender import Sender
from tests.support.factories import Tenant, make_tenant


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings,
        webhook_allow_private_networks=True,
        webhook_relay_seconds=1,
        webhook_lease_margin_seconds=1,
    )


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def to(self, when: datetime) -> None:
        self.now = max(self.now, when)


class FixedRandom:
    """Jitter at a chosen point of its range (0 = no jitter)."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def uniform(self, a: float, b: float) -> float:
        return min(max(self.value, a), b)


@pytest.fixture
def clock() -> FakeClock:
    """A minute ahead of the real clock, so events emitted during the test are due at once."""
    return FakeClock(datetime.now(UTC) + timedelta(minutes=1))


@pytest.fixture
async def sender(settings: Settings) -> AsyncIterator[Sender]:
    sender = Sender(allow_private=settings.webhook_allow_private_networks)
    yield sender
    await sender.aclose()


@pytest.fixture
def deliverer(
    sessions: async_sessionmaker[AsyncSession], sender: Sender, settings: Settings, clock: FakeClock
) -> Deliverer:
    return Deliverer(sessions, sender, settings, clock=clock, rng=FixedRandom())


@pytest.fixture
async def tenant(app: Litestar, settings: Settings) -> Tenant:
    """A company of its own (the app fixture removes every row after the test)."""
    return await make_tenant(settings, "Hooks")
