"""Team meeting types, pure: who may take a booking, in which order, and which slots a team
offers. No I/O; the slot service feeds it each member's slots and booking counts.

A *unit* is what a booking goes to: one member, or a group of members who host together (all
of them must be free). A member in a group is offered only through the group.

- Eligible units: under their capacity in the distribution period; with equal distribution, at
  most `max_lead` bookings (0 unless set) ahead of the unit with the fewest; other types apply
  `max_lead` only when it is set.
- Order (`ranked`): higher priority first; with equal distribution, fewer bookings first; then
  the unit assigned longest ago (never assigned first), so hosts take turns; then by id, so the
  order is total.
- `anyone`: a slot is offered when at least one eligible unit has it; `everyone` (collective):
  when every member has it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from slotwise.slots.types import Slot

EQUAL_DISTRIBUTION = "equalDistribution"
NEXT_IN_QUEUE = "Next in Queue"
BY_AVAILABILITY = "Chosen Due to Availability"


class Method(StrEnum):
    ANYONE = "anyone"
    EVERYONE = "everyone"


@dataclass(frozen=True)
class Unit:
    """One member, or a group hosting together (`group_id` set); `host` leads the booking."""

    user_ids: tuple[uuid.UUID, ...]
    priority: int = 2
    capacity: int | None = None
    group_id: uuid.UUID | None = None
    main_host: uuid.UUID | None = None

    @property
    def host(self) -> uuid.UUID:
        return self.main_host if self.main_host in self.user_ids else self.user_ids[0]

    @property
    def key(self) -> uuid.UUID:
        return self.group_id or self.user_ids[0]


@dataclass(frozen=True)
class Standing:
    """A unit's bookings in the current distribution period and its latest assignment."""

    bookings: int = 0
    last_assigned: datetime | None = None


@dataclass(frozen=True)
class Policy:
    type: str
    max_lead: int | None = None


@dataclass(frozen=True)
class TeamSlot:
    slot: Slot
    #: the units free for it, best first (`everyone`: all of them)
    units: tuple[Unit, ...] = field(default=())

    @property
    def host_ids(self) -> list[uuid.UUID]:
        return sorted({user for unit in self.units for user in unit.user_ids})


def units_of(
    members: Sequence[tuple[uuid.UUID, int, int | None]],
    groups: Sequence[tuple[uuid.UUID, Sequence[uuid.UUID], int, uuid.UUID | None]],
) -> list[Unit]:
    """Members `(user, priority, capacity)` and groups `(id, users, capacity, main host)` as
    units; a group's priority is its best member's, and only members count."""
    by_user = {user: (priority, capacity) for user, priority, capacity in members}
    units: list[Unit] = []
    grouped: set[uuid.UUID] = set()
    for group_id, users, group_capacity, main in groups:
        present = tuple(sorted(u for u in set(users) if u in by_user))
        if not present:
            continue
        grouped.update(present)
        priority = max(by_user[u][0] for u in present)
        units.append(Unit(present, priority, group_capacity, group_id, main))
    for user, (priority, capacity) in by_user.items():
        if user not in grouped:
            units.append(Unit((user,), priority, capacity))
    return units


def eligible(
    units: Iterable[Unit], standing: Mapping[uuid.UUID, Standing], policy: Policy
) -> list[Unit]:
    """The units that may take the next booking."""
    open_ = [
        unit
        for unit in units
        if unit.capacity is None or _of(standing, unit).bookings < unit.capacity
    ]
    lead: int | None = policy.max_lead
    if lead is None and policy.type == EQUAL_DISTRIBUTION:
        lead = 0
    if lead is None or not open_:
        return open_
    fewest = min(_of(standing, unit).bookings for unit in open_)
    return [unit for unit in open_ if _of(standing, unit).bookings <= fewest + lead]


def ranked(
    units: Iterable[Unit], standing: Mapping[uuid.UUID, Standing], policy: Policy
) -> list[Unit]:
    """The units in the order a booking is offered to them."""
    equal = policy.type == EQUAL_DISTRIBUTION

    def order(unit: Unit) -> tuple[int, int, float, str]:
        state = _of(standing, unit)
        last = state.last_assigned.timestamp() if state.last_assigned is not None else 0.0
        return (-unit.priority, state.bookings if equal else 0, last, str(unit.key))

    return sorted(units, key=order)


def team_slots(
    per_host: Mapping[uuid.UUID, Sequence[Slot]],
    units: Sequence[Unit],
    method: Method,
    members: Iterable[uuid.UUID],
) -> list[TeamSlot]:
    """The team's slots from each member's own: for `anyone` over `units` (eligible, in rank
    order), for `everyone` over all `members`."""
    free: dict[uuid.UUID, set[tuple[datetime, datetime]]] = {
        host: {(slot.start, slot.end) for slot in slots} for host, slots in per_host.items()
    }
    candidates: dict[tuple[datetime, datetime], Slot] = {}
    for slots in per_host.values():
        for slot in slots:
            candidates.setdefault((slot.start, slot.end), slot)
    everyone = list(members)
    result: list[TeamSlot] = []
    for key in sorted(candidates):
        slot = Slot(key[0], key[1])
        if method is Method.EVERYONE:
            if everyone and all(key in free.get(user, ()) for user in everyone):
                result.append(TeamSlot(slot, tuple(u for u in units)))
            continue
        ready = tuple(u for u in units if all(key in free.get(user, ()) for user in u.user_ids))
        if ready:
            result.append(TeamSlot(slot, ready))
    return result


def choose(ready: Sequence[Unit], order: Sequence[Unit]) -> tuple[Unit, str] | None:
    """The unit a booking goes to, among those free (`ready`), and why: the first in `order`
    is "Next in Queue"; a later one is chosen because the ones before were busy."""
    keys = {unit.key for unit in ready}
    for index, unit in enumerate(order):
        if unit.key in keys:
            return unit, NEXT_IN_QUEUE if index == 0 else BY_AVAILABILITY
    return None


def _of(standing: Mapping[uuid.UUID, Standing], unit: Unit) -> Standing:
    return standing.get(unit.key, _NONE)


_NONE = Standing()
