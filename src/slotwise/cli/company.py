"""Operator commands on companies (run from the CLI, outside any request)."""

import asyncio
import uuid
from typing import Any

from slotwise.auth.hashing import build_hasher
from slotwise.auth.verifier import Verifier
from slotwise.companies.service import create_company
from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.db.tenancy import CompanyId
from slotwise.kit import fields
from slotwise.models import Company, CompanyRateLimit
from slotwise.ratelimit.policies import RateLimitRepository
from slotwise.settings import Settings, SettingsError


def _check(name: str, owner_email: str, timezone: str, key_days: int) -> None:
    if not name.strip():
        raise SettingsError("--name: must not be empty")
    if fields.email(owner_email):
        raise SettingsError("--owner-email: not a valid email address")
    if fields.zone(timezone):
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


def rate_limit_command(
    settings: Settings,
    company_id: str,
    *,
    per_minute: int | None,
    burst: int | None,
    per_hour: int | None,
    per_day: int | None,
    reset: bool,
) -> dict[str, object]:
    """Set or clear a company's rate-limit override; running servers apply it within seconds."""
    try:
        company = CompanyId(uuid.UUID(company_id))
    except ValueError as exc:
        raise SettingsError("COMPANY_ID: not a UUID") from exc
    if not reset:
        if per_minute is None or burst is None:
            raise SettingsError("--per-minute and --burst are required (or --reset)")
        for name, value in (
            ("--per-minute", per_minute),
            ("--burst", burst),
            ("--per-hour", per_hour),
            ("--per-day", per_day),
        ):
            if value is not None and value < 1:
                raise SettingsError(f"{name}: must be at least 1")
    return asyncio.run(
        _set_rate_limit(settings, company, (per_minute, burst, per_hour, per_day), reset=reset)
    )


async def _set_rate_limit(
    settings: Settings,
    company: CompanyId,
    values: tuple[int | None, int | None, int | None, int | None],
    *,
    reset: bool,
) -> dict[str, object]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            if await session.get(Company, company) is None:
                raise SettingsError("COMPANY_ID: no such company")
            limits = RateLimitRepository(session, company)
            current = await limits.current()
            if current is not None:
                await limits.delete(current.id)
            if not reset:
                per_minute, burst, per_hour, per_day = values
                assert per_minute is not None  # noqa: S101 - checked by the caller
                assert burst is not None  # noqa: S101 - checked by the caller
                limits.add(
                    CompanyRateLimit(
                        per_minute=per_minute, burst=burst, per_hour=per_hour, per_day=per_day
                    )
                )
    finally:
        await engine.dispose()
    if reset:
        return {"companyId": str(company), "rateLimit": "default"}
    per_minute, burst, per_hour, per_day = values
    return {
        "companyId": str(company),
        "rateLimit": {
            "perMinute": per_minute,
            "burst": burst,
            "perHour": per_hour,
            "perDay": per_day,
        },
    }
