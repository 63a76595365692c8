"""`x-request-id` on every response: echo a well-formed incoming id, else mint one."""

import re
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

HEADER = "x-request-id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_STATE_KEY = "slotwise.request_id"


def request_id_of(scope: Scope) -> str:
    """The request's id, minted on first use and kept in the scope state."""
    state = scope.setdefault("state", {})
    rid = state.get(_STATE_KEY)
    if rid is None:
        rid = _incoming(scope) or uuid.uuid4().hex
        state[_STATE_KEY] = rid
    return str(rid)


def _incoming(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _VALID.match(text) else None
    return None


async def add_request_id(message: Message, scope: Scope) -> None:
    """`before_send` hook: runs for every response, routing errors included."""
    if message["type"] == "http.response.start":
        MutableScopeHeaders.from_message(message)[HEADER] = request_id_of(scope)
