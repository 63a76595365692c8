"""Weekly schedule wire formats, normalised to one canonical form.

Accepted inputs (decoded JSON values):

* canonical object: ``{"monday": {"enabled": true, "hours": [{"start": "09:00", "end": ...}]}}``;
  ``hours`` defaults to ``[]``;
* meetergo's array form: ``[{"dayOfWeek": "monday", "intervals": [{"from": "09:00", "to": ...}]}]``;
  a listed day is enabled when it has intervals, and a day may be listed only once;
* the Meetario form keyed ``"1"`` (Monday) .. ``"7"`` (Sunday):
  ``{"enabled": true, "start": "09:00", "end": "17:00"}``; a disabled day may omit the times.

Days missing from an input are off. A disabled day keeps the hours it was given, so toggling a day
round-trips; only enabled days are open. Times are ``HH:MM`` on a 5-minute grid; an end of
``24:00`` means the end of the day (an end of ``00:00`` is rejected, as it is not after any start).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypedDict

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
GRID_MINUTES = 5
END_OF_DAY = 24 * 60

_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")
_MEETARIO_KEYS = {str(number): number - 1 for number in range(1, 8)}

Problem = tuple[str, str]
"""Wire path of the offending value and what is wrong with it."""


class WireRange(TypedDict):
    start: str
    end: str


class WireDay(TypedDict):
    enabled: bool
    hours: list[WireRange]


class ScheduleError(ValueError):
    """Invalid schedule; ``errors`` lists every violation found."""

    def __init__(self, errors: list[Problem]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = errors


@dataclass(frozen=True, slots=True, order=True)
class HourRange:
    """Wall-time range ``[start, end)`` in minutes after local midnight; ``end`` may be 1440."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= END_OF_DAY:
            raise ValueError("need 0 <= start < end <= 1440")


@dataclass(frozen=True, slots=True)
class DayHours:
    """One weekday: ``hours`` sorted by start and not overlapping (touching is fine)."""

    enabled: bool = False
    hours: tuple[HourRange, ...] = ()

    def __post_init__(self) -> None:
        if any(a.end > b.start for a, b in zip(self.hours, self.hours[1:], strict=False)):
            raise ValueError("hours must be sorted and must not overlap")


OFF = DayHours()


@dataclass(frozen=True, slots=True)
class Schedule:
    """Canonical weekly schedule: seven days, Monday first."""

    days: tuple[DayHours, ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("a schedule has exactly seven days")

    def day(self, name: str) -> DayHours:
        return self.days[DAY_NAMES.index(name)]


def parse_time(text: str, *, end: bool = False) -> int:
    """Minutes after midnight of ``HH:MM``; ``24:00`` (1440) only when ``end`` is set.

    Raises ``ValueError`` whose message is fit for an API error.
    """
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError('must be a time "HH:MM"')
    hour, minute = int(match[1]), int(match[2])
    if hour == 24 and minute == 0:
        if not end:
            raise ValueError("24:00 is only allowed as an end")
        return END_OF_DAY
    if hour > 23 or minute > 59:
        raise ValueError("is not a valid time of day")
    if minute % GRID_MINUTES:
        raise ValueError(f"must be on a {GRID_MINUTES}-minute grid")
    return hour * 60 + minute


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def default_schedule() -> Schedule:
    """Monday to Friday, 09:00-17:00."""
    workday = DayHours(True, (HourRange(9 * 60, 17 * 60),))
    return Schedule((workday,) * 5 + (OFF,) * 2)


def parse_schedule(value: object, *, prefix: str = "schedule") -> Schedule:
    """Parse any accepted wire form; raise ``ScheduleError`` with wire paths under ``prefix``."""
    errors: list[Problem] = []
    days: dict[int, DayHours] = {}
    if isinstance(value, list):
        _parse_array(value, prefix, days, errors)
    elif isinstance(value, dict):
        if value and all(isinstance(key, str) and key.isdecimal() for key in value):
            _parse_meetario(value, prefix, days, errors)
        else:
            _parse_canonical(value, prefix, days, errors)
    else:
        errors.append((prefix, "must be an object or an array"))
    if errors:
        raise ScheduleError(errors)
    return Schedule(tuple(days.get(index, OFF) for index in range(7)))


def to_wire(schedule: Schedule) -> dict[str, WireDay]:
    """Canonical wire object: all seven days, Monday first."""
    return {
        name: {
            "enabled": day.enabled,
            "hours": [
                {"start": format_time(hours.start), "end": format_time(hours.end)}
                for hours in day.hours
            ],
        }
        for name, day in zip(DAY_NAMES, schedule.days, strict=True)
    }


def _parse_canonical(
    value: Mapping[object, object], prefix: str, days: dict[int, DayHours], errors: list[Problem]
) -> None:
    for key, item in value.items():
        path = f"{prefix}.{key}"
        if key not in DAY_NAMES:
            errors.append((path, f"unknown day; expected one of {', '.join(DAY_NAMES)}"))
            continue
        day = _object(item, path, {"enabled", "hours"}, errors)
        if day is None:
            continue
        enabled = _flag(day, "enabled", path, errors)
        hours = _ranges(day.get("hours", []), f"{path}.hours", "start", "end", errors)
        if enabled is not None and hours is not None:
            days[DAY_NAMES.index(str(key))] = DayHours(enabled, hours)


def _parse_array(
    value: list[object], prefix: str, days: dict[int, DayHours], errors: list[Problem]
) -> None:
    listed: dict[int, int] = {}
    for position, item in enumerate(value):
        path = f"{prefix}[{position}]"
        entry = _object(item, path, {"dayOfWeek", "intervals"}, errors)
        if entry is None:
            continue
        index = _array_day(entry, f"{path}.dayOfWeek", errors)
        if index is not None and index in listed:
            message = f"duplicate day; already listed at {prefix}[{listed[index]}]"
            errors.append((f"{path}.dayOfWeek", message))
            index = None
        if index is not None:
            listed[index] = position
        hours = _ranges(entry.get("intervals", []), f"{path}.intervals", "from", "to", errors)
        if index is not None and hours is not None:
            days[index] = DayHours(bool(hours), hours)


def _array_day(entry: Mapping[str, object], path: str, errors: list[Problem]) -> int | None:
    value = entry.get("dayOfWeek")
    if isinstance(value, str) and value in DAY_NAMES:
        return DAY_NAMES.index(value)
    message = (
        "is required" if "dayOfWeek" not in entry else f"must be one of {', '.join(DAY_NAMES)}"
    )
    errors.append((path, message))
    return None


def _parse_meetario(
    value: Mapping[object, object], prefix: str, days: dict[int, DayHours], errors: list[Problem]
) -> None:
    for key, item in value.items():
        path = f"{prefix}.{key}"
        index = _MEETARIO_KEYS.get(str(key))
        if index is None:
            errors.append((path, "unknown day; expected 1 (Monday) .. 7 (Sunday)"))
            continue
        day = _object(item, path, {"enabled", "start", "end"}, errors)
        if day is None:
            continue
        enabled = _flag(day, "enabled", path, errors)
        if not enabled and "start" not in day and "end" not in day:
            days[index] = DayHours(False)
            continue
        hours = _checked_range(day, path, "start", "end", errors)
        if enabled is not None and hours is not None:
            days[index] = DayHours(enabled, (hours,))


def _object(
    value: object, path: str, allowed: set[str], errors: list[Problem]
) -> dict[str, object] | None:
    """``value`` as an object; unknown fields are recorded as errors."""
    if not isinstance(value, dict):
        errors.append((path, "must be an object"))
        return None
    errors.extend((f"{path}.{key}", "unknown field") for key in value if key not in allowed)
    return {str(key): item for key, item in value.items()}


def _flag(entry: Mapping[str, object], key: str, path: str, errors: list[Problem]) -> bool | None:
    value = entry.get(key)
    if isinstance(value, bool):
        return value
    errors.append((f"{path}.{key}", "is required" if key not in entry else "must be a boolean"))
    return None


def _ranges(
    value: object, path: str, start_key: str, end_key: str, errors: list[Problem]
) -> tuple[HourRange, ...] | None:
    """Ranges of one day, sorted; overlaps are reported at the later range."""
    if not isinstance(value, list):
        errors.append((path, "must be an array"))
        return None
    before = len(errors)
    parsed: list[tuple[HourRange, int]] = []
    for position, item in enumerate(value):
        item_path = f"{path}[{position}]"
        entry = _object(item, item_path, {start_key, end_key}, errors)
        hours = (
            None if entry is None else _checked_range(entry, item_path, start_key, end_key, errors)
        )
        if hours is not None:
            parsed.append((hours, position))
    parsed.sort()
    _report_overlaps(parsed, path, errors)
    return None if len(errors) > before else tuple(hours for hours, _ in parsed)


def _report_overlaps(
    parsed: Iterable[tuple[HourRange, int]], path: str, errors: list[Problem]
) -> None:
    name = path.rsplit(".", 1)[-1]
    latest: tuple[HourRange, int] | None = None
    for hours, position in parsed:
        if latest is not None and hours.start < latest[0].end:
            errors.append((f"{path}[{position}]", f"overlaps {name}[{latest[1]}]"))
        if latest is None or hours.end > latest[0].end:
            latest = (hours, position)


def _checked_range(
    entry: Mapping[str, object], path: str, start_key: str, end_key: str, errors: list[Problem]
) -> HourRange | None:
    """The range of ``entry[start_key]``, ``entry[end_key]``; both keys are required."""
    missing = [(f"{path}.{key}", "is required") for key in (start_key, end_key) if key not in entry]
    if missing:
        errors.extend(missing)
        return None
    start = _time(entry[start_key], f"{path}.{start_key}", False, errors)
    end = _time(entry[end_key], f"{path}.{end_key}", True, errors)
    if start is None or end is None:
        return None
    if end <= start:
        errors.append((f"{path}.{end_key}", f"must be after {start_key}"))
        return None
    return HourRange(start, end)


def _time(value: object, path: str, end: bool, errors: list[Problem]) -> int | None:
    if not isinstance(value, str):
        errors.append((path, 'must be a string "HH:MM"'))
        return None
    try:
        return parse_time(value, end=end)
    except ValueError as error:
        errors.append((path, str(error)))
        return None
