"""`GET /metrics` and the request metrics of the API.

The route answers only `Authorization: Bearer <SLOTWISE_METRICS_TOKEN>`; without the setting it
is 404 like any unknown path, so metrics are never public by accident. It needs no API key, is
not rate-limited (`ratelimit.middleware` exempts it) and is not in the OpenAPI document.
What changes only at scrape time (how far the outboxes lag, this process's pool) is read then.
"""

import asyncio
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.enums import ScopeType
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.pool import QueuePool

from slotwise.db.leases import Outbox
from slotwise.db.session import ENGINE, SESSIONMAKER
from slotwise.kit import metrics
from slotwise.kit.errors import Unauthorized
from slotwise.settings import SETTINGS

PATH = "/metrics"
#: the outbox queries of one scrape together; past it the lag is left out, the scrape answers
LAG_TIMEOUT_SECONDS = 1.0

log = logging.getLogger("slotwise.metrics")


async def outbox_lags(
    sessions: async_sessionmaker[AsyncSession], outboxes: Mapping[str, Outbox], now: datetime
) -> Metric:
    """Seconds since each outbox's longest-waiting row fell due (0 when none waits); an outbox
    whose query fails or is too slow is left out rather than failing the scrape."""
    family = GaugeMetricFamily(
        "slotwise_outbox_lag_seconds",
        "Seconds since the longest-waiting undelivered row of each outbox fell due",
        labels=["outbox"],
    )

    async def read() -> None:
        async with sessions() as session:
            for name, outbox in outboxes.items():
                earliest = await outbox.earliest_due(session)
                lag = 0.0 if earliest is None else (now - earliest).total_seconds()
                family.add_metric([name], max(lag, 0.0))

    try:
        await asyncio.wait_for(read(), LAG_TIMEOUT_SECONDS)
    except Exception as exc:
        log.warning("metrics: outbox lag not read (%s: %s)", type(exc).__name__, exc)
    return family


def sample_pool(state: State) -> None:
    """This process's pool, in use and idle, into the gauge summed over live processes."""
    engine = ENGINE.find(state)
    pool = None if engine is None else engine.pool
    if isinstance(pool, QueuePool):
        metrics.record_pool(pool.checkedout(), pool.checkedin())


def metrics_route(outboxes: Mapping[str, Outbox]) -> HTTPRouteHandler:
    """The /metrics handler, reporting the lag of `outboxes` (by label)."""

    @get(PATH, exclude_from_auth=True, include_in_schema=False, name="metrics")
    async def scrape(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
        token = SETTINGS.of(state).metrics_token
        if token is None:  # exactly what an unknown path gets
            raise NotFoundException()
        if not metrics.token_matches(request.headers.get("authorization"), token):
            raise Unauthorized("Invalid metrics token", headers={"WWW-Authenticate": "Bearer"})
        sample_pool(state)
        lags = await outbox_lags(SESSIONMAKER.of(state), outboxes, datetime.now(UTC))
        body = metrics.exposition([lags])
        return Response(body, media_type=metrics.CONTENT_TYPE)

    return scrape


def record_requests(app: Litestar) -> None:
    """Count and time every HTTP request by route template, method and status, routing errors
    included (hence around the app's own handler, outside routing; unrouted: `unmatched`), and
    sample the pool as each one ends."""
    inner: ASGIApp = app.asgi_handler

    async def recorded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await inner(scope, receive, send)
            return
        method = scope["method"]
        started = time.perf_counter()
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await inner(scope, receive, send_noting_status)
        finally:
            if status:
                route = scope.get("path_template") or metrics.UNMATCHED
                elapsed = time.perf_counter() - started
                metrics.record_request(route, method, status, elapsed)
                sample_pool(scope["app"].state)

    app.asgi_handler = recorded
