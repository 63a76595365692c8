"""Public holidays of a country (and subdivision) as whole local days.

Names come in the country's own language unless ``language`` is given (e.g. ``"en_US"``), so they
do not depend on the process locale. Country and subdivision codes are matched case-insensitively;
subdivision names the package knows (e.g. ``"Bayern"``) resolve to their codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from slotwise.kit.zones import is_zone

MIN_YEAR = 1900
MAX_YEAR = 2100


class HolidayError(ValueError):
    """Invalid holiday request; ``field`` is ``year``, ``country``, ``subdivision`` or ``zone``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class HolidayBlock:
    """A holiday as the UTC span ``[start, end)`` of its local day."""

    day: date
    start: datetime
    end: datetime
    title: str

    @property
    def key(self) -> str:
        """Stable identity within one country/subdivision: the ISO date."""
        return self.day.isoformat()


@dataclass(frozen=True, slots=True)
class _Country:
    code: str
    subdivisions: dict[str, str]
    """Upper-cased subdivision code or alias to the package's subdivision code."""
    language: str | None


@cache
def _countries() -> dict[str, str]:
    return {code.upper(): code for code in holidays.list_supported_countries()}


@cache
def _country(code: str) -> _Country:
    entity = holidays.country_holidays(code)
    subdivisions = {name.upper(): name for name in entity.subdivisions}
    for alias, name in entity.subdivisions_aliases.items():
        subdivisions.setdefault(alias.upper(), name)
    return _Country(entity.country, subdivisions, entity.default_language)


def resolve_region(country: str, subdivision: str | None) -> tuple[str, str | None]:
    """Canonical ``(country, subdivision)`` codes; an empty subdivision means the whole country."""
    code = _countries().get(country.upper())
    if code is None:
        raise HolidayError("country", f"unsupported country {country!r}")
    entity = _country(code)
    if not subdivision:
        return entity.code, None
    name = entity.subdivisions.get(subdivision.upper())
    if name is None:
        raise HolidayError("subdivision", f"unsupported subdivision {subdivision!r} of {code}")
    return entity.code, name


def public_holidays(
    year: int, country: str, subdivision: str | None = None, *, language: str | None = None
) -> list[tuple[date, str]]:
    """Public holidays of ``year``, sorted by date; one entry per date (names joined by "; ")."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise HolidayError("year", f"must be between {MIN_YEAR} and {MAX_YEAR}")
    code, subdiv = resolve_region(country, subdivision)
    entity = holidays.country_holidays(
        code, subdiv=subdiv, years=year, language=language or _country(code).language
    )
    return sorted(entity.items())


def local_day(day: date, zone: str) -> tuple[datetime, datetime]:
    """UTC instants of local midnight starting ``day`` and the next; 23 or 25 hours apart on
    DST changes. A midnight skipped by a change maps to the instant the day begins."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def holiday_blocks(
    year: int,
    country: str,
    subdivision: str | None,
    zone: str,
    *,
    language: str | None = None,
) -> list[HolidayBlock]:
    """Each public holiday as its whole local day in ``zone``, sorted by date."""
    if not is_zone(zone):
        raise HolidayError("zone", f"unknown time zone {zone!r}")
    return [
        HolidayBlock(day, *local_day(day, zone), title)
        for day, title in public_holidays(year, country, subdivision, language=language)
    ]
