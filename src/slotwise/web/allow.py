"""The `Allow` header of OPTIONS answers, listing every method of the path.

Litestar answers OPTIONS by itself, but when a path's handlers come from several registrations
its answer can list only some of them (the methods known when it was made); clients and
generated SDKs then believe a method is missing. This hook writes the full list, taken from the
app's routes once they are all known.
"""

from litestar import Litestar
from litestar.datastructures import MutableScopeHeaders
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

from slotwise.kit.state import StateKey

#: the Allow header per OPTIONS handler (by id)
ALLOWED = StateKey("allowed_methods", dict)


def index_allowed_methods(app: Litestar) -> None:
    """Remember, per OPTIONS handler, the methods of its path (after all routes exist)."""
    found: dict[int, str] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            allowed = ", ".join(sorted(route.methods))
            found |= {id(handler): allowed for handler in route.route_handlers}
    ALLOWED.put(app.state, found)


async def fix_allow_header(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    allowed = (ALLOWED.find(scope["app"].state) or {}).get(id(scope.get("route_handler")))
    if allowed is not None:
        MutableScopeHeaders.from_message(message)["allow"] = allowed
