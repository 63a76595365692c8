"""OpenTelemetry: off, no tracer, exporter or middleware; on, spans reach a real OTLP/HTTP
receiver."""

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from slotwise.app import create_app
from slotwise.settings import Settings
from tests.support.factories import Side

#: Litestar itself imports the OpenTelemetry API and ASGI instrumentation whenever they are
#: installed; the SDK, the exporter and protobuf are ours to load, and stay out when off
OFF = """
import sys
from slotwise.app import create_app
from slotwise.settings import load_settings
app = create_app(load_settings({}))
heavy = ("opentelemetry.sdk", "opentelemetry.exporter", "google.protobuf")
loaded = sorted(name for name in sys.modules if name.startswith(heavy))
plugins = [type(plugin).__name__ for plugin in app.plugins]
print(loaded, plugins)
sys.exit(1 if loaded or "OpenTelemetryPlugin" in plugins else 0)
"""


def test_tracing_off_loads_no_sdk_and_adds_no_middleware() -> None:
    result = subprocess.run(
        [sys.executable, "-c", OFF], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


class Collector:
    """An OTLP/HTTP trace receiver: keeps each export request's spans."""

    def __init__(self) -> None:
        self.spans: list[Any] = []
        self.paths: list[str] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
                    ExportTraceServiceRequest,
                )

                body = self.rfile.read(int(self.headers["content-length"]))
                export = ExportTraceServiceRequest()
                export.ParseFromString(body)
                collector.paths.append(self.path)
                for resource in export.resource_spans:
                    for scope in resource.scope_spans:
                        collector.spans.extend((resource, span) for span in scope.spans)
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector() -> Iterator[Collector]:
    found = Collector()
    yield found
    found.close()


def _attributes(span: Any) -> dict[str, Any]:
    return {a.key: getattr(a.value, a.value.WhichOneof("value")) for a in span.attributes}


async def test_tracing_on_sends_a_span_per_request_to_the_collector(
    settings: Settings, side_a: Side, collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.url)
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    traced = msgspec.structs.replace(settings, otel_enabled=True)
    async with AsyncTestClient(create_app(traced)) as client:
        response = await client.get(
            f"/v4/user/{side_a.member_id}?probe=hidden",
            headers=side_a.tenant.headers(side_a.member_id),
        )
        assert response.status_code == 200, response.text
        assert (await client.get("/no/such/path")).status_code == 404
    # leaving the client shut the app down, which sends what is left
    assert collector.paths
    assert set(collector.paths) == {"/v1/traces"}
    names = {span.name: (resource, span) for resource, span in collector.spans}
    assert "GET /v4/user/{user_id}" in names, sorted(names)
    resource, span = names["GET /v4/user/{user_id}"]
    service = {a.key: a.value.string_value for a in resource.resource.attributes}
    assert service["service.name"] == "slotwise"
    attributes = _attributes(span)
    assert attributes["http.route"] == "/v4/user/{user_id}"
    assert attributes["http.status_code"] == 200
    assert not any("hidden" in str(value) for value in attributes.values())
    assert "GET" in names  # an unmatched path keeps the bare method, never the path
