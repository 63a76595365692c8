"""Pure slot engine: availability, appointments and booking rules to bookable slots.

Public API::

    compute_slots(query: SlotQuery, busy: Sequence[Busy], now: datetime) -> list[Slot]
    troubleshoot_slots(query: SlotQuery, busy: Sequence[Busy], now: datetime) -> SlotReport
    slots_until(query: SlotQuery, busy: Sequence[Busy], now: datetime)
        -> tuple[list[Slot], datetime | None]
    slots_by_local_date(slots: Iterable[Slot], zone: str) -> list[tuple[date, list[LocalSlot]]]

Rules, in order:

1. The weekly schedule is expanded per local date in ``query.zone``. A range covers exactly the
   instants whose local date and wall time fall inside it: wall times skipped by a DST gap give
   nothing, repeated wall times give both real instants. An end of 00:00 means 24:00. Local dates
   from the day before ``window_start`` to the day after ``window_end`` are expanded; ranges
   touching across midnight merge into one open range.
2. Exceptions with ``available=True`` are added, then those with ``available=False`` removed.
3. Candidate starts step by ``query.step`` minutes of elapsed time from each open range's start.
4. A candidate ``[start, start + duration)`` must lie inside one open range.
5. ``busy`` / ``buffer``: ``[start - buffer_before, end + buffer_after)`` overlaps a busy
   interval, or ``[start, end)`` overlaps a busy interval widened by that entry's own buffers.
   A ``joinable`` entry starting exactly at the candidate's start does not block it: the slot
   joins that appointment while spots are left, else it is ``full``.
6. ``minimum_notice``: starts before ``now + booking_minimum``.
7. ``beyond_horizon``: starts outside ``query.horizon``.

Only starts in ``[window_start, window_end)`` are reported; slots are sorted, unique and in UTC.
``troubleshoot_slots`` also reports each rejected candidate with its first failing reason: grid
steps of the open ranges failing rules 4-7, and grid steps of the weekly ranges that are not open
(``exception`` when an unavailable exception overlaps them, else ``outside_working_hours``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from slotwise.slots.intervals import contains, merge, subtract
from slotwise.slots.types import (
    MIDNIGHT,
    Blocked,
    BlockReason,
    Busy,
    HorizonMode,
    LocalSlot,
    Slot,
    SlotQuery,
    SlotReport,
)

_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_SECOND = 1_000_000
_MINUTE = 60 * _SECOND
_DAY = 24 * 60 * _MINUTE
_SAMPLE = 6 * 60 * _MINUTE
_FAR = 1 << 62

# (widened start, widened end, own start, own end, entry), all in microseconds since the epoch.
_Entry = tuple[int, int, int, int, Busy]


def _us(value: datetime) -> int:
    if value.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    return (value - _EPOCH) // _US


def _instant(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _wall(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _SECOND + value.microsecond


class _Clock:
    """UTC offsets of one zone over a bounded span, found by sampling and bisection.

    Offsets are sampled every 6 hours, so at most one change per 6 hours is assumed.
    """

    __slots__ = ("offsets", "starts", "zone")

    def __init__(self, zone: ZoneInfo, lo: int, hi: int) -> None:
        self.zone = zone
        self.starts = [-_FAR]
        self.offsets = [self._offset(lo)]
        t = lo
        while t < hi:
            nxt = min(t + _SAMPLE, hi)
            after = self._offset(nxt)
            if after != self.offsets[-1]:
                self.starts.append(self._transition(t, nxt))
                self.offsets.append(after)
            t = nxt

    def _offset(self, t: int) -> int:
        offset = datetime.fromtimestamp(t // _SECOND, self.zone).utcoffset()
        return 0 if offset is None else offset // _US

    def _transition(self, lo: int, hi: int) -> int:
        before = self.offsets[-1]
        lo, hi = lo // _SECOND, hi // _SECOND
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._offset(mid * _SECOND) == before:
                lo = mid
            else:
                hi = mid
        return hi * _SECOND

    def spans(self, wall_start: int, wall_end: int) -> list[tuple[int, int]]:
        """Instants whose wall time (as microseconds since the naive epoch) is in the range."""
        out = []
        starts, offsets = self.starts, self.offsets
        for i, offset in enumerate(offsets):
            lo = max(starts[i], wall_start - offset)
            hi = min(starts[i + 1] if i + 1 < len(starts) else _FAR, wall_end - offset)
            if lo < hi:
                out.append((lo, hi))
        return out

    def local_ordinal(self, t: int) -> int:
        offset = self.offsets[bisect_right(self.starts, t) - 1]
        return (t + offset) // _DAY + _EPOCH_ORDINAL


@lru_cache(maxsize=256)
def _clock(zone: str, lo: int, hi: int) -> _Clock:
    """A zone's clock over a span, made once per process for the spans asked for again (a
    month's page is asked for by every visitor); its offsets come from the zone's rules
    alone."""
    return _Clock(ZoneInfo(zone), lo, hi)


class _PrefixMax:
    """Entries sorted by start with running maximum end: finds one overlapping entry fast."""

    def __init__(self, items: list[tuple[int, int, Busy]]) -> None:
        items.sort(key=lambda item: item[0])
        self.starts = [item[0] for item in items]
        self.ends: list[int] = []
        self.best: list[Busy] = []
        for _, end, entry in items:
            if not self.ends or end > self.ends[-1]:
                self.ends.append(end)
                self.best.append(entry)
            else:
                self.ends.append(self.ends[-1])
                self.best.append(self.best[-1])

    def find(self, start: int, end: int) -> Busy | None:
        k = bisect_left(self.starts, end)
        return self.best[k - 1] if k and self.ends[k - 1] > start else None


def _free_starts(
    starts: range, duration: int, busy_starts: list[int], busy_ends: list[int]
) -> Iterator[int]:
    """The grid steps of ``starts`` whose ``[start, start + duration)`` misses every merged
    busy span, found gap by gap: the work follows the free runs and the busy spans, not
    every step."""
    if not starts:
        return
    first, step = starts.start, starts.step
    start, last = first, starts[-1]
    k = bisect_right(busy_ends, start)  # the first busy span ending after `start`
    while start <= last:
        if k < len(busy_starts) and busy_starts[k] < start + duration:
            # blocked by span k: go on from the first step at or after its end
            start = first + -(-(busy_ends[k] - first) // step) * step
            while k < len(busy_ends) and busy_ends[k] <= start:
                k += 1
            continue
        stop = last if k == len(busy_starts) else min(last, busy_starts[k] - duration)
        free = range(start, stop + 1, step)
        yield from free
        start = free[-1] + step


def _entries(busy: Sequence[Busy], buffer_before: int, buffer_after: int) -> list[_Entry]:
    """Non-empty busy entries, each with one widened span for rule 5.

    Both conditions of rule 5 reduce to ``[start, end)`` overlapping one span: the candidate's
    after-buffer and the entry's before-buffer both extend the entry backwards, so only the larger
    counts (likewise forwards). Hence 15 + 15 minutes of buffers need only 15 free minutes.
    """
    out = []
    for entry in busy:
        start = (entry.interval.start - _EPOCH) // _US
        end = (entry.interval.end - _EPOCH) // _US
        if start < end:
            before = entry.buffer_before if entry.buffer_before > buffer_after else buffer_after
            after = entry.buffer_after if entry.buffer_after > buffer_before else buffer_before
            out.append((start - before * _MINUTE, end + after * _MINUTE, start, end, entry))
    return out


class _Engine:
    def __init__(self, query: SlotQuery, busy: Sequence[Busy], now: datetime) -> None:
        self.query = query
        self.duration = query.duration * _MINUTE
        self.step = query.step * _MINUTE
        self.window = (_us(query.window_start), _us(query.window_end))
        now_us = _us(now)
        self.notice = now_us + query.booking_minimum * _MINUTE
        horizon = query.horizon
        self.latest = now_us + horizon.limit_minutes * _MINUTE
        self.limited = horizon.mode is HorizonMode.LIMIT
        self.ranged = horizon.mode is HorizonMode.RANGE
        first_date, last_date = horizon.first_date, horizon.last_date
        self.first_ord = -_FAR if first_date is None else first_date.toordinal()
        self.last_ord = _FAR if last_date is None else last_date.toordinal()
        lo, hi = self.window[0] - 3 * _DAY, self.window[1] + self.duration + 3 * _DAY
        self.clock = _clock(query.zone, lo, hi)
        first = self.clock.local_ordinal(self.window[0]) - 1
        last = self.clock.local_ordinal(self.window[1] + self.duration) + 1
        self.weekly = self._weekly(first, last)
        opened = [(_us(x.start), _us(x.end)) for x in query.exceptions if x.available]
        self.closed = merge((_us(x.start), _us(x.end)) for x in query.exceptions if not x.available)
        self.open = subtract(self.weekly + opened, self.closed)
        self.entries = _entries(busy, query.buffer_before, query.buffer_after)
        self.joinable: dict[int, list[_Entry]] = {}
        for item in self.entries:
            if item[4].joinable:
                self.joinable.setdefault(item[2], []).append(item)

    def _weekly(self, first: int, last: int) -> list[tuple[int, int]]:
        days = [
            [(_wall(r.start), _DAY if r.end == MIDNIGHT else _wall(r.end)) for r in ranges]
            for ranges in (self.query.weekly.get(day, ()) for day in range(7))
        ]
        spans: list[tuple[int, int]] = []
        for ordinal in range(first, last + 1):
            base = (ordinal - _EPOCH_ORDINAL) * _DAY
            for start, end in days[(ordinal - 1) % 7]:
                spans += self.clock.spans(base + start, base + end)
        return merge(spans)

    def _starts(self, range_start: int, last_start: int, lo: int) -> range:
        """Grid steps of one open range at or after ``lo`` and at most ``last_start``."""
        first = range_start
        if lo > range_start:
            first += -(-(lo - range_start) // self.step) * self.step
        return range(first, min(last_start, self.window[1] - 1) + 1, self.step)

    def _beyond(self, start: int) -> bool:
        if self.limited:
            return start > self.latest
        if self.ranged:
            return not self.first_ord <= self.clock.local_ordinal(start) <= self.last_ord
        return False

    def slots(self) -> list[Slot]:
        merged = merge((item[0], item[1]) for item in self.entries)
        busy_starts = [span[0] for span in merged]
        busy_ends = [span[1] for span in merged]
        lo = max(self.window[0], self.notice)
        latest = self.latest if self.limited else _FAR
        duration, spots, joinable = self.duration, self.query.spots, self.joinable
        length = timedelta(microseconds=duration)
        out: list[Slot] = []
        for range_start, range_end in self.open:
            starts = self._starts(range_start, min(range_end - duration, latest), lo)
            if joinable:
                out += self._scan(starts, busy_starts, busy_ends)
                continue
            for start in _free_starts(starts, duration, busy_starts, busy_ends):
                if not (self.ranged and self._beyond(start)):
                    begin = _instant(start)
                    out.append(Slot(begin, begin + length, None, 0, spots))
        return out

    def _scan(self, starts: range, busy_starts: list[int], busy_ends: list[int]) -> list[Slot]:
        """Every grid step on its own: the way for ranges where joinable entries may start."""
        out: list[Slot] = []
        duration, spots = self.duration, self.query.spots
        for start in starts:
            end = start + duration
            if start in self.joinable:
                result = self._join(start, end)
                if isinstance(result, Slot) and not self._beyond(start):
                    out.append(result)
            else:
                k = bisect_left(busy_starts, end)
                free = not k or busy_ends[k - 1] <= start
                if free and not (self.ranged and self._beyond(start)):
                    begin = _instant(start)
                    out.append(Slot(begin, _instant(end), None, 0, spots))
        return out

    def changes_at(self, slots: Sequence[Slot]) -> int | None:
        """The first ``now`` (µs) from which rules 6 and 7 can give another answer, if any.

        Only those two rules read ``now``: the earliest listed start drops out once it is within
        the minimum notice, and with a ``LIMIT`` horizon the first grid start past the current
        limit may come in (checked against the open ranges only, so possibly early, never late).
        """
        changes: list[int] = []
        if slots:
            changes.append(_us(slots[0].start) - self.query.booking_minimum * _MINUTE + 1)
        if self.limited:
            lo = max(self.window[0], self.notice, self.latest + 1)
            for range_start, range_end in self.open:
                starts = self._starts(range_start, range_end - self.duration, lo)
                if starts:
                    changes.append(starts[0] - self.query.horizon.limit_minutes * _MINUTE)
        return min(changes, default=None)

    def _join(self, start: int, end: int) -> Slot | Blocked:
        """Slow path for a start shared with joinable entries: only those may overlap."""
        conflicts = [item for item in self.entries if item[0] < end and item[1] > start]
        joins = [item[4] for item in conflicts if item[4].joinable and item[2] == start]
        others = [item for item in conflicts if not (item[4].joinable and item[2] == start)]
        begin, finish = _instant(start), _instant(end)
        if others:
            hit = next((item for item in others if item[2] < end and item[3] > start), None)
            if hit is not None:
                return _busy(begin, finish, hit[4])
            return Blocked(begin, finish, BlockReason.BUFFER, others[0][4].appointment_id)
        for entry in joins:
            total = self.query.spots if entry.total_spots is None else entry.total_spots
            if entry.taken_spots < total:
                return Slot(begin, finish, entry.appointment_id, entry.taken_spots, total)
        return Blocked(begin, finish, BlockReason.FULL, joins[0].appointment_id)

    def report(self) -> SlotReport:
        widened = _PrefixMax([(item[0], item[1], item[4]) for item in self.entries])
        own = _PrefixMax([(item[2], item[3], item[4]) for item in self.entries])
        found: dict[int, Slot | Blocked] = {}
        for range_start, range_end in self.open:
            for start in self._starts(range_start, range_end - 1, self.window[0]):
                end = start + self.duration
                if end > range_end:
                    found[start] = self._closed(start, end)
                elif start in self.joinable:
                    found[start] = self._rules(self._join(start, end))
                else:
                    hit = own.find(start, end)
                    if hit is not None:
                        found[start] = _busy(_instant(start), _instant(end), hit)
                        continue
                    hit = widened.find(start, end)
                    if hit is None:
                        slot = Slot(_instant(start), _instant(end), None, 0, self.query.spots)
                        found[start] = self._rules(slot)
                    else:
                        found[start] = Blocked(
                            _instant(start), _instant(end), BlockReason.BUFFER, hit.appointment_id
                        )
        for range_start, range_end in self.weekly:
            for start in self._starts(range_start, range_end - 1, self.window[0]):
                end = start + self.duration
                if start not in found and not contains(self.open, start, end):
                    found[start] = self._closed(start, end)
        ordered = [found[start] for start in sorted(found)]
        return SlotReport(
            [item for item in ordered if isinstance(item, Slot)],
            [item for item in ordered if isinstance(item, Blocked)],
        )

    def _closed(self, start: int, end: int) -> Blocked:
        k = bisect_left(self.closed, (end,))
        cut = k > 0 and self.closed[k - 1][1] > start
        reason = BlockReason.EXCEPTION if cut else BlockReason.OUTSIDE_WORKING_HOURS
        return Blocked(_instant(start), _instant(end), reason)

    def _rules(self, result: Slot | Blocked) -> Slot | Blocked:
        """Apply rules 6 and 7 to a candidate that passed rule 5."""
        if isinstance(result, Blocked):
            return result
        start = _us(result.start)
        if start < self.notice:
            return Blocked(result.start, result.end, BlockReason.MINIMUM_NOTICE)
        if self._beyond(start):
            return Blocked(result.start, result.end, BlockReason.BEYOND_HORIZON)
        return result


def _busy(start: datetime, end: datetime, entry: Busy) -> Blocked:
    """A candidate overlapping busy time itself: an appointment's, or a calendar event's."""
    if entry.calendar is not None:
        return Blocked(start, end, BlockReason.CALENDAR, calendar=entry.calendar)
    return Blocked(start, end, BlockReason.BUSY, entry.appointment_id)


def compute_slots(query: SlotQuery, busy: Sequence[Busy], now: datetime) -> list[Slot]:
    """Bookable slots starting in the query window, sorted by start."""
    return _Engine(query, busy, now).slots()


def slots_until(
    query: SlotQuery, busy: Sequence[Busy], now: datetime
) -> tuple[list[Slot], datetime | None]:
    """``compute_slots`` and the first later ``now`` at which its answer may change (None: never).

    For every ``t`` in ``[now, until)`` ``compute_slots(query, busy, t)`` gives the same slots.
    """
    engine = _Engine(query, busy, now)
    slots = engine.slots()
    until = engine.changes_at(slots)
    return slots, None if until is None else _instant(until)


def troubleshoot_slots(query: SlotQuery, busy: Sequence[Busy], now: datetime) -> SlotReport:
    """Like ``compute_slots`` but also lists rejected candidates with their reasons."""
    return _Engine(query, busy, now).report()


def slots_by_local_date(slots: Iterable[Slot], zone: str) -> list[tuple[date, list[LocalSlot]]]:
    """Group slots by the local date of their start in ``zone``, rendered as ISO 8601."""
    local = _local_times(zone)
    local.trim()
    days: dict[date, list[LocalSlot]] = {}
    for slot in slots:
        day, start = local.iso(slot.start)
        local_slot = LocalSlot(start, local.iso(slot.end)[1], slot)
        days.setdefault(day, []).append(local_slot)
    return sorted(days.items(), key=lambda item: item[0])


@lru_cache(maxsize=64)
def _local_times(zone: str) -> _LocalTimes:
    return _LocalTimes(ZoneInfo(zone))


class _LocalTimes:
    """Instants as local ISO 8601 text in one zone, exactly as ``astimezone(zone).isoformat()``
    writes them, in half the time: a month's answer writes hundreds.

    The offset is looked up once per 6-hour span of UTC (at most one change per 6 hours is
    assumed, as by ``_Clock``), and the date, time and offset texts are each written once and
    kept (one instance per zone serves the process; what it keeps is a pure function of the
    zone's rules, and is dropped past `KEEP` entries). A span with a change in it, or an
    instant the arithmetic cannot hold, takes the slow way.
    """

    KEEP = 10_000

    __slots__ = ("dates", "offsets", "suffixes", "times", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.offsets: dict[int, int | None] = {}
        self.dates: dict[int, tuple[date, str]] = {}
        self.times: dict[int, str] = {}
        self.suffixes: dict[int, str] = {}

    def trim(self) -> None:
        if len(self.offsets) + len(self.dates) + len(self.times) > self.KEEP:
            self.offsets, self.dates, self.times = {}, {}, {}

    def iso(self, instant: datetime) -> tuple[date, str]:
        """The instant's local date and its local ISO 8601 text."""
        try:
            us = (instant - _EPOCH) // _US
            span = us // _SAMPLE
            offset = self.offsets.get(span, 0)
            if offset == 0 and span not in self.offsets:  # one lookup for a known nonzero one
                offset = self.offsets[span] = self._offset(span)
            if offset is None:
                raise OverflowError
            ordinal, clock = divmod(us + offset, _DAY)
            day, day_text = self.dates.get(ordinal) or self._date(ordinal)
            return day, day_text + (self.times.get(clock) or self._time(clock)) + (
                self.suffixes.get(offset) or self._suffix(offset)
            )
        except (OverflowError, ValueError):
            local = instant.astimezone(self.zone)
            return local.date(), local.isoformat()

    def _offset(self, span: int) -> int | None:
        """The offset (µs) holding over the whole span, or None when it changes there."""
        first = _instant(span * _SAMPLE).astimezone(self.zone).utcoffset()
        last = _instant((span + 1) * _SAMPLE - 1).astimezone(self.zone).utcoffset()
        return None if first is None or first != last else first // _US

    def _date(self, ordinal: int) -> tuple[date, str]:
        day = date.fromordinal(ordinal + _EPOCH_ORDINAL)
        entry = self.dates[ordinal] = (day, day.isoformat() + "T")
        return entry

    def _time(self, clock: int) -> str:
        seconds, micro = divmod(clock, _SECOND)
        text = self.times[clock] = time(
            seconds // 3600, seconds // 60 % 60, seconds % 60, micro
        ).isoformat()
        return text

    def _suffix(self, offset: int) -> str:
        zone = timezone(timedelta(microseconds=offset))
        text = self.suffixes[offset] = datetime(2000, 1, 1, tzinfo=zone).isoformat()[19:]
        return text
