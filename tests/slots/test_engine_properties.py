"""Property tests: the engine against a brute-force model that samples instants one by one."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slotwise.slots.engine import (
    compute_slots,
    slots_by_local_date,
    slots_until,
    troubleshoot_slots,
)
from slotwise.slots.types import (
    MIDNIGHT,
    BlockReason,
    Busy,
    ExceptionSpan,
    Horizon,
    HorizonMode,
    Interval,
    Slot,
    SlotQuery,
    TimeRange,
)

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Havana",
    "America/Santiago",
    "Asia/Kathmandu",
    "Asia/Kolkata",
]
# Transition days of these zones in 2026, plus an ordinary one.
DAYS = [date(2026, m, d) for m, d in [(3, 8), (3, 29), (4, 4), (9, 6), (10, 4), (10, 25), (6, 15)]]
QUARTER = timedelta(minutes=15)
FIVE = timedelta(minutes=5)
# Every boundary in these tests (wall quarter-hours in these zones, DST switches, exceptions)
# falls on a UTC quarter-hour, so sampling quarter-hours finds the open time exactly.


def quarter(n: int) -> time:
    return time(n // 4, n % 4 * 15)


@st.composite
def time_ranges(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    # Ends stay before 24:00 so no open range spans local midnight; otherwise where a range
    # starts would depend on how many days before the window the engine expands.
    out = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, 94))
        out.append(TimeRange(quarter(start), quarter(draw(st.integers(start + 1, 95)))))
    return tuple(out)


@st.composite
def cases(draw: st.DrawFn) -> tuple[SlotQuery, list[Busy], datetime]:
    day = draw(st.sampled_from(DAYS)) + timedelta(days=draw(st.integers(-1, 1)))
    window_start = datetime.combine(day, time(0), UTC) + QUARTER * draw(st.integers(0, 95))
    window_end = window_start + QUARTER * draw(st.integers(4, 4 * 36))

    grain = st.sampled_from([FIVE, QUARTER])

    def instant(step: timedelta) -> datetime:
        span = (window_end - window_start + timedelta(hours=24)) // step
        return window_start - timedelta(hours=12) + step * draw(st.integers(0, span))

    exceptions = tuple(
        ExceptionSpan(
            start := instant(QUARTER),
            start + QUARTER * draw(st.integers(1, 16)),
            draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    busy = [
        Busy(
            Interval(start := instant(draw(grain)), start + FIVE * draw(st.integers(1, 24))),
            buffer_before=draw(st.sampled_from([0, 5, 10, 15, 30])),
            buffer_after=draw(st.sampled_from([0, 5, 10, 15, 30])),
            appointment_id=f"b{n}",
        )
        for n in range(draw(st.integers(0, 10)))
    ]
    mode = draw(st.sampled_from(HorizonMode))
    horizon = Horizon(
        mode,
        limit_minutes=15 * draw(st.integers(0, 4 * 48)),
        first_date=day + timedelta(days=draw(st.integers(-1, 1))),
        last_date=day + timedelta(days=draw(st.integers(1, 3))),
    )
    query = SlotQuery(
        zone=draw(st.sampled_from(ZONES)),
        weekly={weekday: draw(time_ranges()) for weekday in range(7)},
        window_start=window_start,
        window_end=window_end,
        duration=draw(st.sampled_from([15, 30, 45, 60, 90])),
        interval=draw(st.sampled_from([None, 15, 30, 60])),
        exceptions=exceptions,
        buffer_before=draw(st.sampled_from([0, 5, 10, 15])),
        buffer_after=draw(st.sampled_from([0, 5, 10, 15])),
        booking_minimum=draw(st.sampled_from([0, 5, 60, 240])),
        horizon=horizon,
    )
    now = window_start + draw(grain) * draw(st.integers(-96, 96))
    return query, busy, now


def is_open(query: SlotQuery, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(query.zone))
    wall = local.time()
    weekly = any(
        r.start <= wall and (r.end == MIDNIGHT or wall < r.end)
        for r in query.weekly.get(local.weekday(), ())
    )
    added = any(x.start <= at < x.end for x in query.exceptions if x.available)
    removed = any(x.start <= at < x.end for x in query.exceptions if not x.available)
    return (weekly or added) and not removed


def blocks(query: SlotQuery, entry: Busy, start: datetime, end: datetime) -> bool:
    own = entry.interval
    padded_start = start - timedelta(minutes=query.buffer_before)
    padded_end = end + timedelta(minutes=query.buffer_after)
    widened_start = own.start - timedelta(minutes=entry.buffer_before)
    widened_end = own.end + timedelta(minutes=entry.buffer_after)
    return (padded_start < own.end and own.start < padded_end) or (
        start < widened_end and widened_start < end
    )


def open_runs(query: SlotQuery) -> list[tuple[datetime, datetime]]:
    """Maximal open spans around the window, found quarter-hour by quarter-hour."""
    at = query.window_start - timedelta(days=3)
    runs: list[tuple[datetime, datetime]] = []
    while at < query.window_end + timedelta(days=3):
        if is_open(query, at):
            if runs and runs[-1][1] == at:
                runs[-1] = (runs[-1][0], at + QUARTER)
            else:
                runs.append((at, at + QUARTER))
        at += QUARTER
    return runs


def allowed(query: SlotQuery, start: datetime, now: datetime) -> bool:
    horizon = query.horizon
    if start < now + timedelta(minutes=query.booking_minimum):
        return False
    if horizon.mode is HorizonMode.LIMIT:
        return start <= now + timedelta(minutes=horizon.limit_minutes)
    if horizon.mode is HorizonMode.RANGE:
        assert horizon.first_date is not None
        assert horizon.last_date is not None
        local_date = start.astimezone(ZoneInfo(query.zone)).date()
        return horizon.first_date <= local_date <= horizon.last_date
    return True


def expected_starts(query: SlotQuery, busy: list[Busy], now: datetime) -> list[datetime]:
    duration, step = timedelta(minutes=query.duration), timedelta(minutes=query.step)
    out = []
    for run_start, run_end in open_runs(query):
        start = run_start
        while start + duration <= run_end:
            in_window = query.window_start <= start < query.window_end
            free = not any(blocks(query, entry, start, start + duration) for entry in busy)
            if in_window and free and allowed(query, start, now):
                out.append(start)
            start += step
    return out


def starts(slots: list[Slot]) -> list[datetime]:
    return [slot.start for slot in slots]


fast = settings(max_examples=60, deadline=None)


@fast
@given(cases())
def test_matches_brute_force_model(case: tuple[SlotQuery, list[Busy], datetime]) -> None:
    query, busy, now = case
    assert starts(compute_slots(query, busy, now)) == expected_starts(query, busy, now)


@fast
@given(cases())
def test_slot_invariants(case: tuple[SlotQuery, list[Busy], datetime]) -> None:
    query, busy, now = case
    zone = ZoneInfo(query.zone)
    slots = compute_slots(query, busy, now)
    assert all(a.start < b.start for a, b in pairwise(slots))
    runs = open_runs(query)
    for slot in slots:
        assert slot.start.tzinfo is UTC
        assert slot.start.astimezone(zone).astimezone(UTC) == slot.start
        assert slot.end - slot.start == timedelta(minutes=query.duration)
        assert query.window_start <= slot.start < query.window_end
        at = slot.start
        while at < slot.end:
            assert is_open(query, at)
            at += FIVE
        assert any(start <= slot.start and slot.end <= end for start, end in runs)
        assert not any(blocks(query, entry, slot.start, slot.end) for entry in busy)
        assert (slot.appointment_id, slot.taken_spots, slot.total_spots) == (None, 0, 1)


@fast
@given(cases(), st.integers(0, 10_000), st.integers(1, 24), st.sampled_from([0, 15, 30]))
def test_adding_busy_never_adds_a_slot(
    case: tuple[SlotQuery, list[Busy], datetime], offset: int, length: int, pad: int
) -> None:
    query, busy, now = case
    start = query.window_start + FIVE * (offset % 600)
    extra = Busy(Interval(start, start + FIVE * length), buffer_before=pad, buffer_after=pad)
    before = set(starts(compute_slots(query, busy, now)))
    after = starts(compute_slots(query, [*busy, extra], now))
    assert set(after) <= before


@fast
@given(cases(), st.integers(0, 1000))
def test_answer_holds_until_the_reported_change(
    case: tuple[SlotQuery, list[Busy], datetime], permille: int
) -> None:
    """Cached answers rely on this: no `now` before `until` gives other slots."""
    query, busy, now = case
    slots, until = slots_until(query, busy, now)
    assert slots == compute_slots(query, busy, now)
    if until is None:
        later = [now + timedelta(days=400)]
    else:
        assert until > now
        last = until - timedelta(microseconds=1)
        later = [last, now + (last - now) * permille // 1000]
    for t in later:
        assert compute_slots(query, busy, t) == slots
    if until is not None and query.horizon.mode is not HorizonMode.LIMIT:
        assert compute_slots(query, busy, until) != slots  # the first slot is now too soon


@fast
@given(cases())
def test_spots_do_not_change_starts_without_joinable_entries(
    case: tuple[SlotQuery, list[Busy], datetime],
) -> None:
    query, busy, now = case
    group = compute_slots(replace(query, spots=4), busy, now)
    assert starts(group) == starts(compute_slots(query, busy, now))
    assert all(slot.total_spots == 4 for slot in group)


@fast
@given(cases())
def test_troubleshoot_agrees_and_explains(case: tuple[SlotQuery, list[Busy], datetime]) -> None:
    query, busy, now = case
    report = troubleshoot_slots(query, busy, now)
    assert report.slots == compute_slots(query, busy, now)
    blocked = [item.start for item in report.blocked]
    assert blocked == sorted(set(blocked))
    assert not set(blocked) & set(starts(report.slots))
    by_id = {entry.appointment_id: entry for entry in busy}
    for item in report.blocked:
        assert query.window_start <= item.start < query.window_end
        points = [item.start + FIVE * k for k in range(query.duration // 5)]
        if item.reason in {BlockReason.OUTSIDE_WORKING_HOURS, BlockReason.EXCEPTION}:
            assert not all(is_open(query, at) for at in points)
            closed = [x for x in query.exceptions if not x.available]
            cut = any(x.start < item.end and item.start < x.end for x in closed)
            assert cut == (item.reason is BlockReason.EXCEPTION)
            continue
        assert all(is_open(query, at) for at in points)
        if item.reason in {BlockReason.BUSY, BlockReason.BUFFER}:
            entry = by_id[item.appointment_id]
            assert blocks(query, entry, item.start, item.end)
            own = entry.interval.start < item.end and item.start < entry.interval.end
            assert own == (item.reason is BlockReason.BUSY)
        else:
            assert not any(blocks(query, entry, item.start, item.end) for entry in busy)
            assert not allowed(query, item.start, now)


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """Any instant from year 2 to 9998, or one near these zones' 2026 transitions, to the µs."""
    near = datetime.combine(draw(st.sampled_from(DAYS)), time(0), UTC) + timedelta(
        microseconds=draw(st.integers(-86_400_000_000, 2 * 86_400_000_000))
    )
    first, last = datetime(2, 1, 1), datetime(9998, 12, 31)  # noqa: DTZ001 - naive bounds
    anywhere = draw(st.datetimes(first, last, timezones=st.just(UTC)))
    return draw(st.sampled_from([near, anywhere, near.replace(microsecond=0)]))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([*ZONES, "Pacific/Chatham", "America/St_Johns"]), instants())
def test_local_times_read_as_astimezone_isoformat(zone: str, start: datetime) -> None:
    """The grouped slots' texts are exactly what `astimezone(zone).isoformat()` writes."""
    end = start + timedelta(minutes=45)
    ((day, (local,)),) = slots_by_local_date([Slot(start, end)], zone)
    assert day == start.astimezone(ZoneInfo(zone)).date()
    assert local.start_time == start.astimezone(ZoneInfo(zone)).isoformat()
    assert local.end_time == end.astimezone(ZoneInfo(zone)).isoformat()
