from datetime import time
from typing import Any

import pytest

from slotwise.availability.formats import (
    DAY_NAMES,
    DayHours,
    HourRange,
    Schedule,
    ScheduleError,
    default_schedule,
    format_time,
    parse_schedule,
    parse_time,
    to_wire,
)
from slotwise.kit.zones import is_zone
from slotwise.slots.booking_rules import to_weekly
from slotwise.slots.types import MIDNIGHT, TimeRange

OFF: dict[str, Any] = {"enabled": False, "hours": []}
CANONICAL_RANGE = {"start": "09:00", "end": "17:00"}

CANONICAL: dict[str, Any] = {
    "monday": {
        "enabled": True,
        "hours": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}],
    },
    "tuesday": {"enabled": True, "hours": [{"start": "08:00", "end": "16:00"}]},
    "wednesday": OFF,
    "thursday": OFF,
    "friday": {"enabled": True, "hours": [{"start": "22:00", "end": "24:00"}]},
    "saturday": OFF,
    "sunday": OFF,
}


def errors_of(value: object, **kwargs: str) -> list[tuple[str, str]]:
    with pytest.raises(ScheduleError) as info:
        parse_schedule(value, **kwargs)
    return info.value.errors


def paths_of(value: object) -> list[str]:
    return [path for path, _ in errors_of(value)]


def test_canonical_round_trip() -> None:
    schedule = parse_schedule(CANONICAL)
    assert to_wire(schedule) == CANONICAL
    assert list(to_wire(schedule)) == list(DAY_NAMES)
    assert parse_schedule(to_wire(schedule)) == schedule


def test_array_form_gives_the_same_canonical_output() -> None:
    legacy = [
        {"dayOfWeek": "friday", "intervals": [{"from": "22:00", "to": "24:00"}]},
        {
            "dayOfWeek": "monday",
            "intervals": [{"from": "13:00", "to": "17:30"}, {"from": "09:00", "to": "12:00"}],
        },
        {"dayOfWeek": "tuesday", "intervals": [{"from": "08:00", "to": "16:00"}]},
        {"dayOfWeek": "sunday", "intervals": []},
    ]
    assert to_wire(parse_schedule(legacy)) == CANONICAL


def test_meetario_form() -> None:
    meetario = {
        "1": {"enabled": True, "start": "09:00", "end": "17:00"},
        "2": {"enabled": False, "start": "10:00", "end": "12:00"},
        "3": {"enabled": False},
        "7": {"enabled": True, "start": "00:00", "end": "24:00"},
    }
    wire = to_wire(parse_schedule(meetario))
    assert wire == {
        "monday": {"enabled": True, "hours": [{"start": "09:00", "end": "17:00"}]},
        "tuesday": {"enabled": False, "hours": [{"start": "10:00", "end": "12:00"}]},
        "wednesday": OFF,
        "thursday": OFF,
        "friday": OFF,
        "saturday": OFF,
        "sunday": {"enabled": True, "hours": [{"start": "00:00", "end": "24:00"}]},
    }
    assert to_wire(parse_schedule(wire)) == wire


def test_omitted_days_are_off_and_ranges_sorted() -> None:
    schedule = parse_schedule(
        {
            "wednesday": {
                "enabled": True,
                "hours": [{"start": "14:00", "end": "15:00"}, {"start": "10:00", "end": "14:00"}],
            }
        }
    )
    assert schedule.day("wednesday") == DayHours(True, (HourRange(600, 840), HourRange(840, 900)))
    assert all(schedule.days[index] == DayHours() for index in (0, 1, 3, 4, 5, 6))
    assert parse_schedule({}) == parse_schedule([]) == Schedule((DayHours(),) * 7)


def test_hours_default_to_empty() -> None:
    assert parse_schedule({"monday": {"enabled": True}}).day("monday") == DayHours(True)


def test_to_weekly_maps_enabled_days_only() -> None:
    weekly = to_weekly(parse_schedule({**CANONICAL, "wednesday": {"enabled": True, "hours": []}}))
    assert dict(weekly) == {
        0: (TimeRange(time(9), time(12)), TimeRange(time(13), time(17, 30))),
        1: (TimeRange(time(8), time(16)),),
        4: (TimeRange(time(22), MIDNIGHT),),
    }


def test_disabled_day_keeps_hours_but_is_closed() -> None:
    schedule = parse_schedule({"monday": {"enabled": False, "hours": [CANONICAL_RANGE]}})
    assert schedule.day("monday").hours == (HourRange(540, 1020),)
    assert dict(to_weekly(schedule)) == {}


def test_default_schedule() -> None:
    workday = {"enabled": True, "hours": [CANONICAL_RANGE]}
    assert to_wire(default_schedule()) == {
        "monday": workday,
        "tuesday": workday,
        "wednesday": workday,
        "thursday": workday,
        "friday": workday,
        "saturday": OFF,
        "sunday": OFF,
    }
    assert dict(to_weekly(default_schedule())) == {
        day: (TimeRange(time(9), time(17)),) for day in range(5)
    }


def test_parse_and_format_time() -> None:
    assert parse_time("00:00") == 0
    assert parse_time("09:05") == 545
    assert parse_time("23:55") == 1435
    assert parse_time("24:00", end=True) == 1440
    assert format_time(1440) == "24:00"
    assert format_time(545) == "09:05"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9:00", 'must be a time "HH:MM"'),
        ("ab", 'must be a time "HH:MM"'),
        ("09:00:00", 'must be a time "HH:MM"'),
        ("\u0660\u0669:\u0660\u0660", 'must be a time "HH:MM"'),
        ("09:07", "must be on a 5-minute grid"),
        ("25:00", "is not a valid time of day"),
        ("12:60", "is not a valid time of day"),
        ("24:05", "is not a valid time of day"),
        ("24:00", "24:00 is only allowed as an end"),
    ],
)
def test_parse_time_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_time(text)


def test_overlapping_ranges() -> None:
    hours = [
        {"start": "09:00", "end": "12:00"},
        {"start": "11:00", "end": "13:00"},
        {"start": "12:00", "end": "14:00"},
        {"start": "08:00", "end": "10:00"},
    ]
    assert errors_of({"monday": {"enabled": True, "hours": hours}}) == [
        ("schedule.monday.hours[0]", "overlaps hours[3]"),
        ("schedule.monday.hours[1]", "overlaps hours[0]"),
        ("schedule.monday.hours[2]", "overlaps hours[1]"),
    ]


def test_overlap_inside_an_earlier_long_range() -> None:
    intervals = [
        {"from": "08:00", "to": "18:00"},
        {"from": "09:00", "to": "10:00"},
        {"from": "12:00", "to": "13:00"},
    ]
    assert errors_of([{"dayOfWeek": "monday", "intervals": intervals}]) == [
        ("schedule[0].intervals[1]", "overlaps intervals[0]"),
        ("schedule[0].intervals[2]", "overlaps intervals[0]"),
    ]


def test_bad_times_are_all_reported() -> None:
    hours = [
        {"start": "9:00", "end": "09:07"},
        {"start": "25:00", "end": "ab"},
        {"start": 900, "end": None},
    ]
    assert errors_of({"monday": {"enabled": True, "hours": hours}}) == [
        ("schedule.monday.hours[0].start", 'must be a time "HH:MM"'),
        ("schedule.monday.hours[0].end", "must be on a 5-minute grid"),
        ("schedule.monday.hours[1].start", "is not a valid time of day"),
        ("schedule.monday.hours[1].end", 'must be a time "HH:MM"'),
        ("schedule.monday.hours[2].start", 'must be a string "HH:MM"'),
        ("schedule.monday.hours[2].end", 'must be a string "HH:MM"'),
    ]


@pytest.mark.parametrize(
    ("start", "end"), [("10:00", "10:00"), ("10:00", "09:00"), ("09:00", "00:00")]
)
def test_start_must_be_before_end(start: str, end: str) -> None:
    value = {"tuesday": {"enabled": True, "hours": [{"start": start, "end": end}]}}
    assert errors_of(value) == [("schedule.tuesday.hours[0].end", "must be after start")]
    legacy = [{"dayOfWeek": "tuesday", "intervals": [{"from": start, "to": end}]}]
    assert errors_of(legacy) == [("schedule[0].intervals[0].to", "must be after from")]
    assert errors_of({"2": {"enabled": True, "start": start, "end": end}}) == [
        ("schedule.2.end", "must be after start")
    ]


def test_start_of_24_00_is_rejected() -> None:
    assert errors_of(
        {"monday": {"enabled": True, "hours": [{"start": "24:00", "end": "24:00"}]}}
    ) == [("schedule.monday.hours[0].start", "24:00 is only allowed as an end")]


def test_unknown_day_and_unknown_keys() -> None:
    value = {
        "monday": {"enabled": True, "hours": [{"start": "09:00", "end": "10:00", "tz": "UTC"}]},
        "funday": OFF,
        "Tuesday": OFF,
        "friday": {"enabled": True, "hours": [], "note": "x"},
    }
    assert errors_of(value) == [
        ("schedule.monday.hours[0].tz", "unknown field"),
        ("schedule.funday", "unknown day; expected one of " + ", ".join(DAY_NAMES)),
        ("schedule.Tuesday", "unknown day; expected one of " + ", ".join(DAY_NAMES)),
        ("schedule.friday.note", "unknown field"),
    ]


def test_wrong_types() -> None:
    value = {
        "monday": {"enabled": "yes", "hours": {"start": "09:00", "end": "10:00"}},
        "tuesday": [],
        "wednesday": {"enabled": 1, "hours": ["09:00-10:00"]},
        "thursday": {"hours": []},
    }
    assert errors_of(value) == [
        ("schedule.monday.enabled", "must be a boolean"),
        ("schedule.monday.hours", "must be an array"),
        ("schedule.tuesday", "must be an object"),
        ("schedule.wednesday.enabled", "must be a boolean"),
        ("schedule.wednesday.hours[0]", "must be an object"),
        ("schedule.thursday.enabled", "is required"),
    ]
    assert errors_of("monday 9-5") == [("schedule", "must be an object or an array")]
    assert errors_of(None) == [("schedule", "must be an object or an array")]


def test_missing_range_bounds() -> None:
    assert errors_of({"monday": {"enabled": True, "hours": [{"start": "09:00"}]}}) == [
        ("schedule.monday.hours[0].end", "is required")
    ]


def test_array_form_errors() -> None:
    legacy = [
        {"dayOfWeek": "monday", "intervals": [{"from": "09:00", "to": "10:00"}]},
        {"dayOfWeek": "monday", "intervals": []},
        {"dayOfWeek": "Mon", "intervals": []},
        {"intervals": [], "enabled": True},
        "tuesday",
        {"dayOfWeek": "friday", "intervals": [{"start": "09:00", "end": "10:00"}]},
    ]
    assert errors_of(legacy) == [
        ("schedule[1].dayOfWeek", "duplicate day; already listed at schedule[0]"),
        ("schedule[2].dayOfWeek", "must be one of " + ", ".join(DAY_NAMES)),
        ("schedule[3].enabled", "unknown field"),
        ("schedule[3].dayOfWeek", "is required"),
        ("schedule[4]", "must be an object"),
        ("schedule[5].intervals[0].start", "unknown field"),
        ("schedule[5].intervals[0].end", "unknown field"),
        ("schedule[5].intervals[0].from", "is required"),
        ("schedule[5].intervals[0].to", "is required"),
    ]


def test_meetario_errors() -> None:
    meetario = {
        "0": {"enabled": True, "start": "09:00", "end": "10:00"},
        "8": {"enabled": True, "start": "09:00", "end": "10:00"},
        "1": {"enabled": True, "start": "09:00"},
        "2": {"enabled": False, "end": "10:00"},
        "3": {"start": "09:03", "end": "10:00", "break": "12:00"},
    }
    assert errors_of(meetario) == [
        ("schedule.0", "unknown day; expected 1 (Monday) .. 7 (Sunday)"),
        ("schedule.8", "unknown day; expected 1 (Monday) .. 7 (Sunday)"),
        ("schedule.1.end", "is required"),
        ("schedule.2.start", "is required"),
        ("schedule.3.break", "unknown field"),
        ("schedule.3.enabled", "is required"),
        ("schedule.3.start", "must be on a 5-minute grid"),
    ]


def test_mixed_digit_and_day_keys_read_as_canonical() -> None:
    assert paths_of({"monday": OFF, "1": OFF}) == ["schedule.1"]


def test_custom_prefix() -> None:
    value = [{"dayOfWeek": "monday", "intervals": [{"from": "9", "to": "10:00"}]}]
    assert errors_of(value, prefix="availability.schedule") == [
        ("availability.schedule[0].intervals[0].from", 'must be a time "HH:MM"')
    ]


def test_schedule_error_message() -> None:
    with pytest.raises(ScheduleError, match=r"^schedule\.sunday: must be an object$"):
        parse_schedule({"sunday": True})


def test_canonical_value_invariants() -> None:
    with pytest.raises(ValueError, match="overlap"):
        DayHours(True, (HourRange(600, 700), HourRange(650, 800)))
    with pytest.raises(ValueError, match="start < end"):
        HourRange(600, 600)
    with pytest.raises(ValueError, match="seven"):
        Schedule((DayHours(),) * 6)


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC"])
def test_is_zone_accepts(name: str) -> None:
    assert is_zone(name)


@pytest.mark.parametrize(
    "name", ["", "Local", "localtime", "europe/berlin", "../etc/passwd", "Europe/../UTC", "/UTC"]
)
def test_is_zone_rejects(name: str) -> None:
    assert not is_zone(name)
