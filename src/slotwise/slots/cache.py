"""Encoded slot answers, kept per process and served while they are provably current.

An entry records the host's schedule version it was computed from (database triggers bump it on
every change to the host's appointments, attendees, availabilities, exceptions and meeting
types) and the instant from which the clock alone may change the answer (minimum notice, a
rolling horizon, a pending booking expiring). A lookup passes the version read at the start of
the request; any difference, or a clock past that instant, is a miss.
"""

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from slotwise.kit.metrics import SLOT_CACHE_LOOKUPS
from slotwise.kit.state import StateKey
from slotwise.slots.repository import HostVersion


@dataclass(frozen=True, slots=True)
class _Entry:
    stamp: HostVersion
    until: datetime | None
    body: bytes


class SlotCache:
    """A bounded LRU map from a request key to an encoded answer; size 0 turns it off."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.hits = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, stamp: HostVersion, now: datetime) -> bytes | None:
        entry = self._entries.get(key)
        expired = entry is not None and entry.until is not None and now >= entry.until
        if entry is None or entry.stamp != stamp or expired:
            _MISSES.inc()
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        _HITS.inc()
        return entry.body

    def put(self, key: Hashable, stamp: HostVersion, until: datetime | None, body: bytes) -> None:
        if self.size <= 0:
            return
        self._entries[key] = _Entry(stamp, until, body)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


SLOT_CACHE = StateKey("slot_cache", SlotCache)
_HITS = SLOT_CACHE_LOOKUPS.labels("hit")
_MISSES = SLOT_CACHE_LOOKUPS.labels("miss")
