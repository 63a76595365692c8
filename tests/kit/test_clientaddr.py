"""Per-client limits count an IPv6 client by its /64, which it cannot rotate out of."""

import pytest

from slotwise.kit.clientaddr import limit_subject


@pytest.mark.parametrize(
    ("address", "subject"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("unknown", "unknown"),
    ],
)
def test_limit_subjects(address: str, subject: str) -> None:
    assert limit_subject(address) == subject


def test_two_addresses_of_one_subscriber_share_a_subject() -> None:
    assert limit_subject("2001:db8::1") == limit_subject("2001:db8::ffff:1")
    assert limit_subject("2001:db8::1") != limit_subject("2001:db8:0:1::1")
