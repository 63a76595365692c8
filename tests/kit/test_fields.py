"""Field checks every entry point shares: one rule and one message per kind of field."""

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
