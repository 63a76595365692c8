"""OpenTelemetry tracing, behind SLOTWISE_OTEL_ENABLED: a span per request, sent over OTLP
(protobuf over HTTP) to the collector the standard OTEL_EXPORTER_OTLP_* variables name.

Off, nothing here imports OpenTelemetry: the setting costs nothing. On, spans are named by the
route template once routing has found it (`GET /v4/user/{user_id}`), and the query string is
cut from the URL attributes, as it is from the logs.
"""

import os
from typing import TYPE_CHECKING, Any

from litestar.config.app import AppConfig
from litestar.plugins import InitPlugin, PluginProtocol
from litestar.types import Message, Scope

from slotwise.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span

SERVICE_NAME = "slotwise"
_URL_ATTRIBUTES = ("http.url", "url.full")


def tracing_plugins(settings: Settings) -> list[PluginProtocol]:
    """The plugins tracing needs; none when it is off."""
    if not settings.otel_enabled:
        return []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin

    provider = _tracer_provider()
    config = OpenTelemetryConfig(
        tracer_provider=provider,
        scope_span_details_extractor=_span_details,
        server_request_hook_handler=_strip_query,
        exclude_spans=["receive", "send"],  # the request span, not one per ASGI message
    )
    return [OpenTelemetryPlugin(config), _SpanNaming(provider)]


def _tracer_provider() -> "TracerProvider":
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # the standard OTEL_SERVICE_NAME wins over our default
    named = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": SERVICE_NAME}
    provider = TracerProvider(resource=Resource.create(named))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def _span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    """The name a span starts with, before routing: the method alone (never the raw path)."""
    return str(scope.get("method", "HTTP")), {}


def _strip_query(span: "Span", scope: dict[str, Any]) -> None:
    attributes = getattr(span, "attributes", None) or {}
    for key in _URL_ATTRIBUTES:
        value = attributes.get(key)
        if isinstance(value, str) and "?" in value:
            span.set_attribute(key, value.partition("?")[0])
    if "url.query" in attributes:
        span.set_attribute("url.query", "")


class _SpanNaming(InitPlugin):
    """Renames the request span after the route template, and sends the last spans on
    shutdown."""

    def __init__(self, provider: "TracerProvider") -> None:
        self.provider = provider

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.before_send.append(_name_span)
        app_config.on_shutdown.append(self.provider.shutdown)
        return app_config


async def _name_span(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    from opentelemetry import trace

    template = scope.get("path_template")
    if template:
        span = trace.get_current_span()
        span.update_name(f"{scope.get('method', '')} {template}")
        span.set_attribute("http.route", template)
