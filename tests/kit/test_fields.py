"""Field checks every entry point shares: one rule and one message per kind of field."""

from datetime import date, datetime, timedelta, timezone

import pytest

from slotwise.kit import fields
from slotwise.kit.errors import FieldError


@pytest.mark.parametrize("value", ["Europe/Berlin", "America/New_York", "UTC"])
def test_known_zones_pass(value: str) -> None:
    assert fields.zone(value) == []


@pytest.mark.parametrize("value", ["Mars/Base", "europe/berlin", "localtime", "Factory", ""])
def test_unknown_zones_are_named_with_one_message(value: str) -> None:
    assert fields.zone(value, "attendee.timezone") == [
        FieldError("attendee.timezone", fields.ZONE_MESSAGE)
    ]


@pytest.mark.parametrize("value", ["a@b.de", "first.last+tag@sub.example.test"])
def test_plausible_emails_pass(value: str) -> None:
    assert fields.email(value) == []


@pytest.mark.parametrize("value", ["plain", "a@b", "a b@c.de", "@c.de", "a@@c.de", "a@c..de"])
def test_implausible_emails_fail(value: str) -> None:
    assert fields.email(value) == [FieldError("email", fields.EMAIL_MESSAGE)]


@pytest.mark.parametrize("value", ["john-doe", "a1b2c", "x" * 60])
def test_chosen_slugs_are_taken_as_sent(value: str) -> None:
    assert fields.slug(value) == []


@pytest.mark.parametrize("value", ["John Doe", "jo", "john--doe", "-john", "x" * 61, "jürgen"])
def test_chosen_slugs_that_are_not_url_ready_fail(value: str) -> None:
    assert fields.slug(value) == [FieldError("slug", fields.SLUG_RULE)]


@pytest.mark.parametrize(
    "value",
    [
        date(1900, 1, 1),
        date(2199, 12, 31),
        datetime(1900, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(2199, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
    ],
)
def test_days_inside_the_accepted_years_pass(value: date) -> None:
    assert fields.day(value, "start") == []


@pytest.mark.parametrize(
    "value",
    [
        date(1, 1, 1),
        date(1899, 12, 31),
        date(2200, 1, 1),
        date(9999, 12, 31),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
    ],
)
def test_days_near_the_ends_of_the_calendar_are_named(value: date) -> None:
    assert fields.day(value, "start") == [FieldError("start", fields.DAY_RANGE_MESSAGE)]


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z"],
)
def test_instants_near_the_ends_of_the_calendar_are_named(text: str) -> None:
    """Year 1 minus an offset, year 9999 plus one: the UTC instant is not representable."""
    assert fields.instant(text, "end") == (None, [FieldError("end", fields.DAY_RANGE_MESSAGE)])
