"""IANA time zone names: the one check every field that names a zone goes through."""

from functools import cache
from zoneinfo import available_timezones

#: names the tz database ships that are not zones a person lives in
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


def is_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone name known to this installation."""
    return name in _zones()


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES
