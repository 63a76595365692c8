"""IANA time zone names: the one check every field that names a zone goes through.

The names are the `tzdata` package's list (pinned in the lock file), not the host's: the API
document lists the same names as an enum, so what it promises and what is accepted cannot differ
from one machine to the next.
"""

from functools import cache
from importlib import resources

#: names the tz database ships that are not zones a person lives in
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


def is_zone(name: str) -> bool:
    """Whether ``name`` is an IANA zone name slotwise accepts."""
    return name in zones()


@cache
def zones() -> frozenset[str]:
    names = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return frozenset(names) - _NOT_ZONES
