"""PURE personal access token scopes, and which held scopes grant the one a route needs.

meetergo's two broad scopes stay as they are; Meetario's resource scopes sit beside them.
The broad scopes reach down onto the resource scopes, never the other way: a token made with
only `events:read` is refused on a meetergo route that needs `scheduling`.
"""

from collections.abc import Iterable
from typing import Literal, get_args

ScopeName = Literal[
    "scheduling",
    "account",
    "events:read",
    "events:write",
    "event_types:read",
    "event_types:write",
    "users:read",
    "users:write",
    "availability:read",
    "availability:write",
    "webhooks:read",
    "webhooks:write",
]
SCOPES: tuple[ScopeName, ...] = get_args(ScopeName)

#: broad scope -> the resources whose read and write scopes it grants
_BROAD: dict[str, frozenset[str]] = {
    "scheduling": frozenset({"events", "event_types", "availability"}),
    #: /v4's webhook routes take `account` too
    "account": frozenset({"users", "webhooks"}),
}


def _grants_one(held: str, needed: str) -> bool:
    if held == needed:
        return True
    resource, _, action = needed.partition(":")
    if not action:  # a broad scope is granted only by itself
        return False
    if held == f"{resource}:write" and action == "read":
        return True
    return resource in _BROAD.get(held, frozenset())


def grants(held: Iterable[str], needed: str) -> bool:
    """Whether a token holding `held` may call a route that needs `needed`.

    Exact match; `X:write` also grants `X:read`; `scheduling` grants events, event types and
    availability (read and write); `account` grants users and webhooks (read and write).
    """
    return any(_grants_one(scope, needed) for scope in held)
