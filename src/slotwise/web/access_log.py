"""One access line per request, and the request's id in every line written meanwhile.

The layer wraps Litestar's whole handler (routing included), so requests that match no route
are logged too. The line names the route template, never the path itself: paths and query
strings carry ids and the invitee's secret, and no header, query or body is logged at all.
Health probes are logged at debug, so an orchestrator's polling does not fill the log.
"""

import logging
import time
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from slotwise.kit.logs import FIELDS, log_context
from slotwise.web.request_id import request_id_of

log = logging.getLogger("slotwise.access")

#: route templates logged at debug instead of info
QUIET_PREFIX = "/health"


class AccessLog:
    """ASGI layer: binds the request id for the request's lines, writes the access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when nothing was sent
        finished: float | None = None

        async def sending(message: Message) -> None:
            nonlocal status, finished
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = time.perf_counter()
            await send(message)

        with log_context(request_id_of(scope)):
            try:
                await self.app(scope, receive, sending)
            finally:
                ended = finished or time.perf_counter()
                _write(scope, status, (ended - started) * 1000)


def _write(scope: Scope, status: int, duration_ms: float) -> None:
    route: str = scope.get("path_template") or "(no route)"
    level = logging.DEBUG if route.startswith(QUIET_PREFIX) else logging.INFO
    if not log.isEnabledFor(level):
        return
    method = scope.get("method", "")
    fields: dict[str, Any] = {
        "method": method,
        "route": route,
        "status": status,
        "duration_ms": round(duration_ms, 2),
    }
    log.log(level, "%s %s %d %.1fms", method, route, status, duration_ms, extra={FIELDS: fields})


def install_access_log(app: Litestar) -> None:
    """Wrap the app's handler (inside the `before_send` hooks, so the request id is on the
    response by the time the line is written)."""
    app.asgi_handler = AccessLog(app.asgi_handler)
