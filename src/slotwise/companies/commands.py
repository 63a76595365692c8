"""Operator commands on companies (run from the CLI, outside any request)."""

import asyncio
import re
import zoneinfo
from typing import Any

from slotwise.companies.service import create_company
from slotwise.credentials.hashing import build_hasher
from slotwise.credentials.verifier import Verifier
from slotwise.db import create_engine, create_sessionmaker
from slotwise.settings import Settings, SettingsError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check(name: str, owner_email: str, timezone: str, key_days: int) -> None:
    if not name.strip():
        raise SettingsError("--name: must not be empty")
    if not _EMAIL.match(owner_email):
        raise SettingsError("--owner-email: not a valid email address")
    if timezone not in zoneinfo.available_timezones():
        raise SettingsError("--timezone: not an IANA time zone name")
    if not 1 <= key_days <= 90:
        raise SettingsError("--key-days: must be between 1 and 90")


def create_company_command(settings: Settings, **kwargs: Any) -> dict[str, str]:
    _check(kwargs["name"], kwargs["owner_email"], kwargs["timezone"], kwargs["key_days"])
    return asyncio.run(_create(settings, **kwargs))


async def _create(settings: Settings, **kwargs: Any) -> dict[str, str]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            verifier = Verifier(build_hasher(settings.argon2_profile))
            made = await create_company(session, verifier, **kwargs)
    finally:
        await engine.dispose()
    return {
        "companyId": str(made.company_id),
        "ownerUserId": made.owner_user_id,
        "apiKey": made.api_key,
        "expiresAt": made.expires_at.isoformat(),
    }
