"""Operator commands for the keys sealing stored secrets (SLOTWISE_SECRET_KEYS)."""

import asyncio
import dataclasses

from slotwise.calendars.resealing import reseal_calendars
from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.kit.clock import utc_now
from slotwise.settings import Settings, require_secret_keys
from slotwise.webhooks.resealing import reseal_all


def rotate_command(settings: Settings) -> dict[str, int]:
    """Seal every stored secret under the newest key (the first in SLOTWISE_SECRET_KEYS)."""
    require_secret_keys(settings)
    return asyncio.run(_rotate(settings))


async def _rotate(settings: Settings) -> dict[str, int]:
    engine = create_engine(settings)
    try:
        sessions = create_sessionmaker(engine)
        done = await reseal_all(sessions, settings.keyring(), utc_now())
        calendars = await reseal_calendars(sessions, settings.keyring())
    finally:
        await engine.dispose()
    return dataclasses.asdict(done) | dataclasses.asdict(calendars)
