"""Prometheus metrics: what the API and the worker record, and their exposition.

Every process records into prometheus-client's registry. A server with several worker processes
(`slotwise serve` with metrics on) gives them a shared `PROMETHEUS_MULTIPROC_DIR` (see
`kit.metrics_dir`), which must be in the environment before this module is first imported;
each process then writes its values to files there and a scrape, answered by any one of them,
adds up every process's files. Without that variable the values live in the process.
"""

import contextlib
import functools
import hmac
import os
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from socketserver import ThreadingMixIn
from typing import Any, ParamSpec, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    make_wsgi_app,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from slotwise.kit.metrics_dir import MULTIPROC_DIR

#: the text format every Prometheus reads (the server adds the charset)
CONTENT_TYPE = "text/plain; version=0.0.4"

#: the route label of a request no route matched (its raw path would be unbounded)
UNMATCHED = "unmatched"
#: methods kept as they are in the method label; anything else is `other`
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "slotwise_http_requests",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "slotwise_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response",
    ["route", "method", "status"],
)
DB_POOL = Gauge(
    "slotwise_db_pool_connections",
    "Database connections of the API processes' pools, in use or idle",
    ["state"],
    multiprocess_mode="livesum",
)
WEBHOOK_DELIVERIES = Counter(
    "slotwise_webhook_deliveries",
    "Webhook delivery attempts by outcome (delivered, retry, failed, skipped)",
    ["outcome"],
)
MAIL_DELIVERIES = Counter(
    "slotwise_mail_deliveries",
    "Mails handled by outcome (sent, retry, failed, skipped)",
    ["outcome"],
)
RATE_LIMIT_REJECTIONS = Counter(
    "slotwise_rate_limit_rejections",
    "Requests refused with 429, by the limit that refused them (requests, auth_failures)",
    ["limit"],
)
SLOT_CACHE_LOOKUPS = Counter(
    "slotwise_slot_cache_lookups",
    "Slot cache lookups by result (hit, miss)",
    ["result"],
)
JOB_DURATION = Histogram(
    "slotwise_job_duration_seconds",
    "Worker job run time by job name and outcome (ok, error)",
    ["job", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR) or None


def record_request(route: str, method: str, status: int, seconds: float) -> None:
    labels = (route, method if method in METHODS else "other", str(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_DURATION.labels(*labels).observe(seconds)


_POOL_IN_USE = DB_POOL.labels("in_use")
_POOL_IDLE = DB_POOL.labels("idle")


def record_pool(in_use: int, idle: int) -> None:
    _POOL_IN_USE.set(in_use)
    _POOL_IDLE.set(idle)


def process_exited() -> None:
    """Drop this process's live gauges from the shared directory (its counters stay)."""
    path = multiprocess_dir()
    if path is not None:
        multiprocess.mark_process_dead(os.getpid(), path)  # type: ignore[no-untyped-call]


def token_matches(authorization: str | None, token: str) -> bool:
    """Whether an Authorization header is `Bearer <token>`, compared in constant time."""
    scheme, _, given = (authorization or "").partition(" ")
    expected = token.encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)


class _Fixed(Collector):
    def __init__(self, metrics: Iterable[Metric]) -> None:
        self.metrics = list(metrics)

    def collect(self) -> Iterable[Metric]:
        return self.metrics


@functools.cache
def _multiprocess_registry(path: str) -> CollectorRegistry:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path)  # type: ignore[no-untyped-call]
    return registry


def exposition(extra: Iterable[Metric] = ()) -> bytes:
    """The text format of every process's metrics, then `extra` (values read at scrape time)."""
    path = multiprocess_dir()
    registry = REGISTRY if path is None else _multiprocess_registry(path)
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(_Fixed(extra))
    return generate_latest(registry) + generate_latest(scraped)


P = ParamSpec("P")
R = TypeVar("R")


def timed_job(name: str, job: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """The job, recording its run time under `name` (the outcome: ok or error)."""

    @functools.wraps(job)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await job(*args, **kwargs)
            outcome = "ok"
            return result
        finally:
            JOB_DURATION.labels(name, outcome).observe(time.perf_counter() - started)

    return run


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not logged."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve_in_thread(host: str, port: int, token: str) -> WSGIServer:
    """Serve this process's metrics at `/metrics` on their own port, from a daemon thread, to
    `Authorization: Bearer <token>` only (the worker's; it has no HTTP server of its own)."""
    metrics_app = make_wsgi_app(REGISTRY)

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not Found\n"]
        if not token_matches(environ.get("HTTP_AUTHORIZATION"), token):
            headers = [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")]
            start_response("401 Unauthorized", headers)
            return [b"Unauthorized\n"]
        body: Iterable[bytes] = metrics_app(environ, start_response)
        return body

    server = make_server(host, port, guarded, _ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    return server


def stop_serving(server: WSGIServer) -> None:
    with contextlib.suppress(OSError):
        server.shutdown()
        server.server_close()
