from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slotwise.slots.engine import compute_slots, slots_by_local_date, troubleshoot_slots
from slotwise.slots.types import (
    BlockReason,
    Busy,
    ExceptionSpan,
    Horizon,
    Interval,
    Slot,
    SlotQuery,
    TimeRange,
)

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
MONDAY = date(2026, 3, 2)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def hm(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def one_day(
    zone: str, day: date, ranges: list[tuple[str, str]], duration: int = 30, **kwargs: Any
) -> SlotQuery:
    """Query whose schedule is open only on ``day``'s weekday, window = day +- 1 day in UTC."""
    return SlotQuery(
        zone=zone,
        weekly={day.weekday(): tuple(TimeRange(hm(a), hm(b)) for a, b in ranges)},
        window_start=utc(day, 0) - timedelta(days=1),
        window_end=utc(day, 0) + timedelta(days=2),
        duration=duration,
        **kwargs,
    )


def starts(slots: list[Slot]) -> list[datetime]:
    return [slot.start for slot in slots]


def grid(first: datetime, count: int, minutes: int = 30) -> list[datetime]:
    return [first + timedelta(minutes=minutes * k) for k in range(count)]


def busy(day: date, start: str, end: str, appointment_id: str = "a", **kwargs: Any) -> Busy:
    interval = Interval(datetime.combine(day, hm(start), UTC), datetime.combine(day, hm(end), UTC))
    return Busy(interval, appointment_id=appointment_id, **kwargs)


D0329, D1025 = date(2026, 3, 29), date(2026, 10, 25)
D0308, D1101 = date(2026, 3, 8), date(2026, 11, 1)
D0404, D0405, D1003, D1004 = (
    date(2026, 4, 4),
    date(2026, 4, 5),
    date(2026, 10, 3),
    date(2026, 10, 4),
)
D0906 = date(2026, 9, 6)

DST_CASES = [
    # Berlin spring: 00:00 CET = 23:00Z, 05:00 CEST = 03:00Z -> 4 h -> 8 slots.
    ("Europe/Berlin", D0329, "00:00-05:00", 30, grid(utc(D0329, 0) - timedelta(hours=1), 8)),
    # Berlin autumn: 00:00 CEST = 22:00Z, 05:00 CET = 04:00Z -> 6 h -> 12 slots.
    ("Europe/Berlin", D1025, "00:00-05:00", 30, grid(utc(D1025, 0) - timedelta(hours=2), 12)),
    # Repeated hour 02:00-03:00: 02:00 CEST = 00:00Z up to 03:00 CET = 02:00Z.
    ("Europe/Berlin", D1025, "02:00-03:00", 30, grid(utc(D1025, 0), 4)),
    # 01:00-02:30 covers 23:00Z-00:30Z (CEST) and again 01:00Z-01:30Z (CET).
    (
        "Europe/Berlin",
        D1025,
        "01:00-02:30",
        30,
        [
            utc(D1025, 0) - timedelta(hours=1),
            utc(D1025, 0) - timedelta(minutes=30),
            utc(D1025, 0),
            utc(D1025, 1),
        ],
    ),
    # New York spring: 01:00 EST = 06:00Z, 04:00 EDT = 08:00Z.
    ("America/New_York", D0308, "01:00-04:00", 60, grid(utc(D0308, 6), 2, 60)),
    # The whole range lies in the skipped hour.
    ("America/New_York", D0308, "02:00-03:00", 30, []),
    # New York autumn: 01:00 EDT = 05:00Z, 04:00 EST = 09:00Z.
    ("America/New_York", D1101, "01:00-04:00", 60, grid(utc(D1101, 5), 4, 60)),
    # Lord Howe 2026-04-05 02:00 +11 -> 01:30 +10:30: 00:00 = 13:00Z, 05:00 = 18:30Z.
    ("Australia/Lord_Howe", D0405, "00:00-05:00", 30, grid(utc(D0404, 13), 11)),
    # Lord Howe 2026-10-04 02:00 +10:30 -> 02:30 +11: 00:00 = 13:30Z, 05:00 = 18:00Z.
    ("Australia/Lord_Howe", D1004, "00:00-05:00", 30, grid(utc(D1003, 13, 30), 9)),
    # Only 02:30-03:00 exists: 15:30Z-16:00Z.
    ("Australia/Lord_Howe", D1004, "02:00-03:00", 30, [utc(D1003, 15, 30)]),
    # Havana 2026-03-08 starts at 01:00 CDT = 05:00Z; 05:00 CDT = 09:00Z.
    ("America/Havana", D0308, "00:00-05:00", 30, grid(utc(D0308, 5), 8)),
    ("America/Havana", D0308, "00:00-01:00", 30, []),
    # Havana 2026-11-01: 00:00 CDT = 04:00Z, 05:00 CST = 10:00Z.
    ("America/Havana", D1101, "00:00-05:00", 30, grid(utc(D1101, 4), 12)),
    # Santiago 2026-09-06 starts at 01:00 -03 = 04:00Z; 05:00 -03 = 08:00Z.
    ("America/Santiago", D0906, "00:00-05:00", 30, grid(utc(D0906, 4), 8)),
    # Santiago 2026-04-04 22:00 -03 = 01:00Z (04-05); 24:00 -04 = 04:00Z (23:00 occurs twice).
    ("America/Santiago", D0404, "22:00-00:00", 30, grid(utc(D0405, 1), 6)),
    ("Asia/Kolkata", MONDAY, "09:00-10:00", 30, grid(utc(MONDAY, 3, 30), 2)),
    ("Asia/Kathmandu", MONDAY, "09:00-10:00", 30, grid(utc(MONDAY, 3, 15), 2)),
]


@pytest.mark.parametrize(
    ("zone", "instant", "before", "after"),
    [
        ("Europe/Berlin", utc(D0329, 1), 60, 120),
        ("Europe/Berlin", utc(D1025, 1), 120, 60),
        ("America/New_York", utc(D0308, 7), -300, -240),
        ("America/New_York", utc(D1101, 6), -240, -300),
        ("Australia/Lord_Howe", utc(D0404, 15), 660, 630),
        ("Australia/Lord_Howe", utc(D1003, 15, 30), 630, 660),
        ("America/Havana", utc(D0308, 5), -300, -240),
        ("America/Havana", utc(D1101, 5), -240, -300),
        ("America/Santiago", utc(D0405, 3), -180, -240),
        ("America/Santiago", utc(D0906, 4), -240, -180),
    ],
)
def test_transition_instants_used_above(
    zone: str, instant: datetime, before: int, after: int
) -> None:
    def offset(at: datetime) -> timedelta | None:
        return at.astimezone(ZoneInfo(zone)).utcoffset()

    assert offset(instant - timedelta(seconds=1)) == timedelta(minutes=before)
    assert offset(instant) == timedelta(minutes=after)


@pytest.mark.parametrize(("zone", "day", "hours", "duration", "expected"), DST_CASES)
def test_local_schedule_to_utc(
    zone: str, day: date, hours: str, duration: int, expected: list[datetime]
) -> None:
    start, end = hours.split("-")
    slots = compute_slots(one_day(zone, day, [(start, end)], duration), [], LONG_AGO)
    assert starts(slots) == expected
    assert all(slot.end - slot.start == timedelta(minutes=duration) for slot in slots)
    assert all(slot.start.utcoffset() == timedelta(0) for slot in slots)


def test_grid_steps_by_interval_and_restarts_after_lunch() -> None:
    query = one_day("UTC", MONDAY, [("09:00", "12:00"), ("13:00", "17:00")], 45, interval=45)
    expected = grid(utc(MONDAY, 9), 4, 45) + grid(utc(MONDAY, 13), 5, 45)
    assert starts(compute_slots(query, [], LONG_AGO)) == expected


def test_interval_shorter_than_duration() -> None:
    query = one_day("UTC", MONDAY, [("09:00", "10:00")], 30, interval=15)
    assert starts(compute_slots(query, [], LONG_AGO)) == grid(utc(MONDAY, 9), 3, 15)


def test_busy_time_does_not_shift_the_grid() -> None:
    query = one_day("UTC", MONDAY, [("09:00", "11:00")])
    slots = compute_slots(query, [busy(MONDAY, "09:10", "09:20")], LONG_AGO)
    assert starts(slots) == grid(utc(MONDAY, 9, 30), 3)


def test_ranges_ending_at_midnight_merge_with_the_next_day() -> None:
    tuesday = MONDAY + timedelta(days=1)
    query = SlotQuery(
        zone="UTC",
        weekly={0: (TimeRange(time(22), time(0)),), 1: (TimeRange(time(0), time(2)),)},
        window_start=utc(MONDAY, 0),
        window_end=utc(tuesday, 12),
        duration=60,
        interval=30,
    )
    assert starts(compute_slots(query, [], LONG_AGO)) == grid(utc(MONDAY, 22), 7)
    assert compute_slots(query, [], LONG_AGO)[-1].end == utc(tuesday, 2)


def test_window_filters_starts_without_moving_the_grid() -> None:
    query = SlotQuery(
        zone="UTC",
        weekly={0: (TimeRange(time(9), time(12)),)},
        window_start=utc(MONDAY, 9, 30),
        window_end=utc(MONDAY, 11),
        duration=60,
    )
    assert starts(compute_slots(query, [], LONG_AGO)) == [utc(MONDAY, 10)]


@pytest.mark.parametrize(
    ("query_before", "query_after", "own_before", "own_after", "expected"),
    [
        # 15 + 15 overlap: the first start after the 10:00-11:00 meeting is 11:15, not 11:30.
        (15, 0, 0, 15, ["09:00", "09:15", "09:30", "11:15", "11:30", "11:45", "12:00"]),
        # The larger buffer on each side wins.
        (30, 0, 0, 15, ["09:00", "09:15", "09:30", "11:30", "11:45", "12:00"]),
        # Query's after-buffer: end + 20 <= 10:00, so the last start before is 09:00.
        (0, 20, 0, 0, ["09:00", "11:00", "11:15", "11:30", "11:45", "12:00"]),
        # Appointment's own before-buffer of 45 minutes: last start before is 08:45 -> 09:00 fails.
        (0, 0, 45, 0, ["11:00", "11:15", "11:30", "11:45", "12:00"]),
    ],
)
def test_buffers(
    query_before: int, query_after: int, own_before: int, own_after: int, expected: list[str]
) -> None:
    query = one_day(
        "UTC",
        MONDAY,
        [("09:00", "12:30")],
        interval=15,
        buffer_before=query_before,
        buffer_after=query_after,
    )
    entry = busy(MONDAY, "10:00", "11:00", buffer_before=own_before, buffer_after=own_after)
    slots = compute_slots(query, [entry], LONG_AGO)
    assert [slot.start.strftime("%H:%M") for slot in slots] == expected


def test_unavailable_exception_removes_time_and_reanchors_the_grid() -> None:
    cut = ExceptionSpan(utc(MONDAY, 9), utc(MONDAY, 9, 20), available=False)
    query = one_day("UTC", MONDAY, [("09:00", "12:00")], 60, exceptions=(cut,))
    assert starts(compute_slots(query, [], LONG_AGO)) == grid(utc(MONDAY, 9, 20), 2, 60)


def test_available_exception_adds_time_outside_the_schedule() -> None:
    sunday = MONDAY - timedelta(days=1)
    extra = ExceptionSpan(utc(sunday, 14), utc(sunday, 16), available=True)
    query = one_day("UTC", MONDAY, [("09:00", "10:00")], 60, interval=30, exceptions=(extra,))
    expected = [utc(sunday, 14), utc(sunday, 14, 30), utc(sunday, 15), utc(MONDAY, 9)]
    assert starts(compute_slots(query, [], LONG_AGO)) == expected


def test_available_exception_extends_an_adjacent_range() -> None:
    extra = ExceptionSpan(utc(MONDAY, 10), utc(MONDAY, 11), available=True)
    query = one_day("UTC", MONDAY, [("09:00", "10:00")], 60, interval=30, exceptions=(extra,))
    assert starts(compute_slots(query, [], LONG_AGO)) == grid(utc(MONDAY, 9), 3)


def test_unavailable_wins_over_available() -> None:
    exceptions = (
        ExceptionSpan(utc(MONDAY, 14), utc(MONDAY, 16), available=True),
        ExceptionSpan(utc(MONDAY, 15), utc(MONDAY, 16), available=False),
    )
    query = one_day("UTC", MONDAY, [], 60, exceptions=exceptions)
    assert starts(compute_slots(query, [], LONG_AGO)) == [utc(MONDAY, 14)]


def test_minimum_notice_drops_early_starts_only() -> None:
    query = one_day("UTC", MONDAY, [("09:00", "12:00")], booking_minimum=60)
    slots = compute_slots(query, [], utc(MONDAY, 9, 10))
    assert starts(slots) == grid(utc(MONDAY, 10, 30), 3)


def test_horizon_limit_is_inclusive() -> None:
    query = one_day("UTC", MONDAY, [("09:00", "12:00")], horizon=Horizon.limit(120))
    slots = compute_slots(query, [], utc(MONDAY, 8))
    assert starts(slots) == grid(utc(MONDAY, 9), 3)


def test_horizon_range_uses_local_dates() -> None:
    tuesday = MONDAY + timedelta(days=1)
    query = SlotQuery(
        zone="Asia/Tokyo",
        weekly={day: (TimeRange(time(7), time(9)),) for day in range(7)},
        window_start=utc(MONDAY, 0) - timedelta(days=2),
        window_end=utc(MONDAY, 0) + timedelta(days=4),
        duration=30,
        horizon=Horizon.date_range(tuesday, tuesday),
    )
    # 07:00-09:00 JST on Tuesday is 22:00Z-00:00Z on Monday.
    assert starts(compute_slots(query, [], LONG_AGO)) == grid(utc(MONDAY, 22), 4)


def test_horizon_unlimited_reaches_far_ahead() -> None:
    far = date(2031, 3, 3)
    query = one_day("UTC", far, [("09:00", "10:00")], 60, horizon=Horizon.unlimited())
    assert starts(compute_slots(query, [], LONG_AGO)) == [utc(far, 9)]


def test_group_slot_joins_appointment_while_spots_are_left() -> None:
    query = one_day("UTC", MONDAY, [("09:00", "11:00")], interval=15, spots=3)
    group = busy(MONDAY, "10:00", "10:30", "g1", joinable=True, taken_spots=2)
    slots = compute_slots(query, [group], LONG_AGO)
    # 09:45 and 10:15 overlap the group appointment and stay blocked.
    assert starts(slots) == [*grid(utc(MONDAY, 9), 3, 15), utc(MONDAY, 10), utc(MONDAY, 10, 30)]
    joined = slots[3]
    assert (joined.appointment_id, joined.taken_spots, joined.total_spots) == ("g1", 2, 3)
    assert (slots[0].appointment_id, slots[0].taken_spots, slots[0].total_spots) == (None, 0, 3)


def test_group_slot_uses_the_appointments_own_capacity() -> None:
    query = one_day("UTC", MONDAY, [("10:00", "10:30")], spots=3)
    group = busy(MONDAY, "10:00", "10:30", "g1", joinable=True, taken_spots=3, total_spots=5)
    (slot,) = compute_slots(query, [group], LONG_AGO)
    assert (slot.appointment_id, slot.taken_spots, slot.total_spots) == ("g1", 3, 5)


def test_full_group_and_foreign_appointments_block() -> None:
    query = one_day("UTC", MONDAY, [("10:00", "10:30"), ("11:00", "11:30")], spots=3)
    full = busy(MONDAY, "10:00", "10:30", "g1", joinable=True, taken_spots=3)
    other_type = busy(MONDAY, "11:00", "11:30", "x1", taken_spots=1)
    assert compute_slots(query, [full, other_type], LONG_AGO) == []
    report = troubleshoot_slots(query, [full, other_type], LONG_AGO)
    assert [(b.reason, b.appointment_id) for b in report.blocked] == [
        (BlockReason.FULL, "g1"),
        (BlockReason.BUSY, "x1"),
    ]


def test_joinable_start_is_still_blocked_by_another_appointment() -> None:
    query = one_day("UTC", MONDAY, [("10:00", "10:30")], spots=3, buffer_before=10)
    group = busy(MONDAY, "10:00", "10:30", "g1", joinable=True)
    before = busy(MONDAY, "09:30", "09:55", "b1")
    report = troubleshoot_slots(query, [group, before], LONG_AGO)
    assert report.slots == []
    assert [(b.reason, b.appointment_id) for b in report.blocked] == [(BlockReason.BUFFER, "b1")]


def test_troubleshoot_reports_every_reason() -> None:
    query = SlotQuery(
        zone="UTC",
        weekly={0: (TimeRange(time(9), time(12)), TimeRange(time(13), time(14, 15)))},
        window_start=utc(MONDAY, 0),
        window_end=utc(MONDAY, 23),
        duration=30,
        exceptions=(ExceptionSpan(utc(MONDAY, 11), utc(MONDAY, 11, 30), False),),
        booking_minimum=60,
        horizon=Horizon.limit(270),
        spots=2,
    )
    entries = [
        busy(MONDAY, "09:30", "10:00", "b1", buffer_after=15),
        busy(MONDAY, "10:30", "11:00", "g1", joinable=True, taken_spots=2),
    ]
    now = utc(MONDAY, 8, 30)  # notice until 09:30, horizon until 13:00
    report = troubleshoot_slots(query, entries, now)
    assert starts(report.slots) == [utc(MONDAY, 11, 30), utc(MONDAY, 13)]
    assert report.slots == compute_slots(query, entries, now)
    blocked = [(b.start.strftime("%H:%M"), b.reason, b.appointment_id) for b in report.blocked]
    assert blocked == [
        ("09:00", BlockReason.MINIMUM_NOTICE, None),
        ("09:30", BlockReason.BUSY, "b1"),
        ("10:00", BlockReason.BUFFER, "b1"),
        ("10:30", BlockReason.FULL, "g1"),
        ("11:00", BlockReason.EXCEPTION, None),
        ("13:30", BlockReason.BEYOND_HORIZON, None),
        ("14:00", BlockReason.OUTSIDE_WORKING_HOURS, None),
    ]
    assert all(b.end - b.start == timedelta(minutes=30) for b in report.blocked)


def test_slots_by_local_date_groups_and_formats_in_the_requested_zone() -> None:
    slots = compute_slots(one_day("Europe/Berlin", D0329, [("00:00", "05:00")]), [], LONG_AGO)
    by_utc = slots_by_local_date(slots, "UTC")
    assert [(day, len(items)) for day, items in by_utc] == [
        (date(2026, 3, 28), 2),
        (D0329, 6),
    ]
    assert by_utc[0][1][0].start_time == "2026-03-28T23:00:00+00:00"
    ((day, local),) = slots_by_local_date(slots, "Europe/Berlin")
    assert day == D0329
    assert (local[0].start_time, local[0].end_time) == (
        "2026-03-29T00:00:00+01:00",
        "2026-03-29T00:30:00+01:00",
    )
    assert (local[3].start_time, local[3].end_time) == (
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
    )
    assert local[-1].end_time == "2026-03-29T05:00:00+02:00"
    assert local[-1].slot is slots[-1]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TimeRange(time(10), time(9)), "end must be after start"),
        (lambda: Interval(datetime(2026, 1, 1), datetime(2026, 1, 2)), "timezone-aware"),  # noqa: DTZ001
        (lambda: one_day("UTC", MONDAY, [], duration=0), "positive"),
        (lambda: one_day("UTC", MONDAY, [], spots=0), "spots"),
        (lambda: Horizon.date_range(D1025, D0329), "last_date"),
    ],
)
def test_invalid_values_are_rejected(build: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()
