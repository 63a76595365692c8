"""Which held scopes grant the scope a route needs (pure)."""

import pytest

from slotwise.auth.scopes import SCOPES, grants

MEETARIO = [s for s in SCOPES if ":" in s]


@pytest.mark.parametrize(
    ("held", "needed", "granted"),
    [
        # exact match
        (["scheduling"], "scheduling", True),
        (["account"], "account", True),
        (["events:read"], "events:read", True),
        (["webhooks:write"], "webhooks:write", True),
        # write grants read of the same resource, never the reverse or another resource
        (["events:write"], "events:read", True),
        (["event_types:write"], "event_types:read", True),
        (["events:read"], "events:write", False),
        (["events:write"], "event_types:read", False),
        (["event_types:write"], "events:read", False),
        # the broad scopes reach down onto their resources
        (["scheduling"], "events:read", True),
        (["scheduling"], "events:write", True),
        (["scheduling"], "event_types:write", True),
        (["scheduling"], "availability:read", True),
        (["scheduling"], "webhooks:write", False),
        (["scheduling"], "users:read", False),
        (["account"], "users:read", True),
        (["account"], "users:write", True),
        (["account"], "events:read", False),
        (["account"], "webhooks:read", True),
        # ... and never back up
        (["events:read", "events:write"], "scheduling", False),
        (["users:read", "users:write"], "account", False),
        (MEETARIO, "scheduling", False),
        (MEETARIO, "account", False),
        # the broad scopes do not grant each other
        (["scheduling"], "account", False),
        (["account"], "scheduling", False),
        # any one held scope is enough
        (["users:read", "scheduling"], "events:write", True),
        (["users:read", "availability:write"], "availability:read", True),
        ([], "events:read", False),
        ([], "scheduling", False),
    ],
)
def test_grants(held: list[str], needed: str, granted: bool) -> None:
    assert grants(held, needed) is granted


def test_every_scope_grants_itself() -> None:
    assert len(SCOPES) == 12
    for scope in SCOPES:
        assert grants([scope], scope)


def test_a_near_name_grants_nothing() -> None:
    assert not grants(["events"], "events:read")
    assert not grants(["events:"], "events:read")
    assert not grants(["Events:write"], "events:read")
    assert not grants(["scheduling:write"], "scheduling")
