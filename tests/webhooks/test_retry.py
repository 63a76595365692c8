"""Retry-After as receivers really send it: whatever the value, a capped delay or None."""

import email.utils
from datetime import UTC, datetime, timedelta

import pytest

from slotwise.webhooks.retry import MAX_RETRY_AFTER, parse_retry_after

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("0", timedelta(0)),
        ("120", timedelta(seconds=120)),
        (" 120 ", timedelta(seconds=120)),
        ("86400", MAX_RETRY_AFTER),
        ("864000", MAX_RETRY_AFTER),
        ("99999999999999999", MAX_RETRY_AFTER),  # timedelta(seconds=…) would overflow
        ("9" * 5000, MAX_RETRY_AFTER),  # int() refuses strings this long
        ("-5", None),
        ("+5", None),
        ("1.5", None),
        ("1e9", None),
        ("²", None),  # a digit for str.isdigit, not for int()
        ("١٢", None),  # Arabic-Indic digits: not the ASCII digits HTTP means
        ("soon", None),
        ("Fri, 31 Dec 99999 23:59:59 GMT", None),
        ("Fri, 31 Dec 99999999999999999999 23:59:59 GMT", None),
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),
        ("Fri, 31 Dec 9999 23:59:59 -2359", MAX_RETRY_AFTER),
        ("Fri, 31 Dec 9999 23:59:59 +9999", None),
        ("Fri, 31 Dec 9999 99:99:99 GMT", None),
        ("Mon, 01 Jan 1990 00:00:00 GMT", timedelta(0)),  # in the past: now
    ],
)
def test_any_retry_after_gives_a_capped_delay_or_none(
    value: str | None, expected: timedelta | None
) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_an_http_date_within_the_cap_is_the_time_until_then() -> None:
    when = NOW + timedelta(hours=3)
    assert parse_retry_after(email.utils.format_datetime(when, usegmt=True), NOW) == timedelta(
        hours=3
    )
