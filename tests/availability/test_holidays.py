from datetime import UTC, date, datetime, timedelta

import pytest

from slotwise.availability.holidays import (
    HolidayBlock,
    HolidayError,
    holiday_blocks,
    local_day,
    public_holidays,
    resolve_region,
)


def dates(year: int, country: str, subdivision: str | None = None) -> set[date]:
    return {day for day, _ in public_holidays(year, country, subdivision)}


def test_bavaria_has_epiphany_and_berlin_does_not() -> None:
    bavaria = public_holidays(2026, "DE", "BY")
    assert (date(2026, 1, 6), "Heilige Drei Könige") in bavaria
    assert (date(2026, 6, 4), "Fronleichnam") in bavaria
    assert date(2026, 1, 6) not in dates(2026, "DE", "BE")
    assert date(2026, 3, 8) in dates(2026, "DE", "BE")  # Internationaler Frauentag


def test_germany_wide() -> None:
    germany = public_holidays(2026, "DE", None)
    assert (date(2026, 10, 3), "Tag der Deutschen Einheit") in germany
    assert date(2026, 1, 6) not in {day for day, _ in germany}
    assert [day for day, _ in germany] == sorted(day for day, _ in germany)
    assert len(germany) == 9


def test_names_in_another_language() -> None:
    assert (date(2026, 1, 6), "Epiphany") in public_holidays(2026, "DE", "BY", language="en_US")


def test_us_federal_holidays() -> None:
    us = dates(2026, "US")
    # Independence Day is a Saturday in 2026; the package lists the Friday as observed too.
    assert {date(2026, 7, 3), date(2026, 7, 4)} <= us
    assert date(2026, 11, 26) in us  # Thanksgiving, fourth Thursday of November
    assert date(2026, 1, 19) in us  # Martin Luther King Jr. Day, third Monday of January
    assert date(2026, 12, 25) in us


@pytest.mark.parametrize("state", ["BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV"])
def test_meetergo_state_codes(state: str) -> None:
    assert resolve_region("DE", state) == ("DE", state)
    assert date(2026, 10, 3) in dates(2026, "DE", state)


def test_region_codes_are_normalised() -> None:
    assert resolve_region("de", "by") == ("DE", "BY")
    assert resolve_region("DE", "Bayern") == ("DE", "BY")
    assert resolve_region("DE", "") == ("DE", None)
    assert resolve_region("UK", None) == ("GB", None)


@pytest.mark.parametrize(
    ("year", "country", "subdivision", "field"),
    [
        (2026, "XX", None, "country"),
        (2026, "", None, "country"),
        (2026, "DE", "ZZ", "subdivision"),
        (2026, "DE", "CA", "subdivision"),
        (2026, "DE", "BYP", "subdivision"),  # deprecated in the package
        (1899, "DE", None, "year"),
        (2101, "DE", None, "year"),
    ],
)
def test_invalid_requests(year: int, country: str, subdivision: str | None, field: str) -> None:
    with pytest.raises(HolidayError) as info:
        public_holidays(year, country, subdivision)
    assert info.value.field == field


def test_year_bounds_are_inclusive() -> None:
    assert public_holidays(2100, "DE", None)[0] == (date(2100, 1, 1), "Neujahr")
    assert public_holidays(1900, "US", None)[0][0] == date(1900, 1, 1)


def test_blocks_are_whole_local_days_in_berlin() -> None:
    blocks = holiday_blocks(2026, "DE", "BY", "Europe/Berlin")
    epiphany = next(block for block in blocks if block.day == date(2026, 1, 6))
    assert epiphany == HolidayBlock(
        date(2026, 1, 6),
        datetime(2026, 1, 5, 23, tzinfo=UTC),
        datetime(2026, 1, 6, 23, tzinfo=UTC),
        "Heilige Drei Könige",
    )
    assert epiphany.key == "2026-01-06"
    unity = next(block for block in blocks if block.key == "2026-10-03")
    assert (unity.start, unity.end) == (
        datetime(2026, 10, 2, 22, tzinfo=UTC),
        datetime(2026, 10, 3, 22, tzinfo=UTC),
    )
    assert all(block.end - block.start == timedelta(hours=24) for block in blocks)
    assert len({block.key for block in blocks}) == len(blocks)


def test_blocks_are_stable() -> None:
    first = holiday_blocks(2026, "DE", "BY", "Europe/Berlin")
    assert holiday_blocks(2026, "de", "by", "Europe/Berlin") == first


def test_easter_sunday_on_spring_forward_is_23_hours() -> None:
    # Brandenburg keeps Easter Sunday; in 2024 it fell on the day Europe switched to summer time.
    block = next(
        block
        for block in holiday_blocks(2024, "DE", "BB", "Europe/Berlin")
        if block.day == date(2024, 3, 31)
    )
    assert block.title == "Ostersonntag"
    assert block.start == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert block.end == datetime(2024, 3, 31, 22, tzinfo=UTC)


def test_reformation_day_on_fall_back_is_25_hours() -> None:
    # 31 October 2021 was a Sunday, the last one of October: summer time ended that night.
    block = next(
        block
        for block in holiday_blocks(2021, "DE", "BB", "Europe/Berlin")
        if block.day == date(2021, 10, 31)
    )
    assert block.title == "Reformationstag"
    assert block.start == datetime(2021, 10, 30, 22, tzinfo=UTC)
    assert block.end == datetime(2021, 10, 31, 23, tzinfo=UTC)


def test_same_holiday_in_another_zone() -> None:
    block = next(
        block
        for block in holiday_blocks(2026, "US", None, "America/New_York")
        if block.key == "2026-11-26"
    )
    assert (block.start, block.end) == (
        datetime(2026, 11, 26, 5, tzinfo=UTC),
        datetime(2026, 11, 27, 5, tzinfo=UTC),
    )


def test_local_day_when_midnight_is_skipped() -> None:
    # Chile moved its clocks from 00:00 to 01:00 on 8 September 2024: the day starts at 01:00 -03,
    # the same instant the previous day ends.
    start, end = local_day(date(2024, 9, 8), "America/Santiago")
    assert start == datetime(2024, 9, 8, 4, tzinfo=UTC)
    assert end == datetime(2024, 9, 9, 3, tzinfo=UTC)
    assert local_day(date(2024, 9, 7), "America/Santiago")[1] == start


def test_local_day_when_midnight_repeats() -> None:
    # Chile moved its clocks from 00:00 back to 23:00 on 7 April 2024, so 6 April had 25 hours.
    start, end = local_day(date(2024, 4, 6), "America/Santiago")
    assert start == datetime(2024, 4, 6, 3, tzinfo=UTC)
    assert end == datetime(2024, 4, 7, 4, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["", "Local", "localtime", "Mars/Olympus"])
def test_blocks_reject_unknown_zones(zone: str) -> None:
    with pytest.raises(HolidayError) as info:
        holiday_blocks(2026, "DE", None, zone)
    assert info.value.field == "zone"
