"""The committed openapi/openapi.json is exactly what the app generates."""

import json
import re
from pathlib import Path
from typing import Any

from litestar.routes import HTTPRoute

from slotwise.app import create_app
from slotwise.cli import openapi_document
from slotwise.settings import Settings, load_settings
from slotwise.web.document import LINKS
from slotwise.web.responses import IDEMPOTENT, SPECIFIC
from slotwise.webhooks.events import MEETARIO_EVENTS, MEETARIO_PING, PING, EventType, dotted

SNAPSHOT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_schema_matches_the_app(settings: Settings) -> None:
    generated = openapi_document(settings)
    committed = SNAPSHOT.read_text(encoding="utf-8")
    assert json.loads(generated)["openapi"].startswith("3.1")
    assert generated == committed, "openapi/openapi.json is stale: run `slotwise openapi`"


def test_operation_ids_are_unique_method_names() -> None:
    document = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert [i for i in ids if not re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", i)] == []
    assert {"createBooking", "listAppointments", "activateApiKey"} <= set(ids)


#: answers sent as cached, encoded JSON, described by an explicit response spec, which cannot
#: carry headers in Litestar (they still send them)
PRE_ENCODED = {"getBookingAvailability", "getBookingPageSlots", "getOneTimeLinkSlots"}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    document = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def test_every_error_is_the_envelope_and_credentials_are_declared() -> None:
    for path, method, operation in _operations():
        where = f"{method.upper()} {path}"
        errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
        assert {"400", "429"} <= set(errors), where
        meetario = path.startswith("/api/v1/")
        envelope = "MeetarioErrorBody" if meetario else "ErrorBody"
        if meetario:
            assert "422" in errors, where  # the sheet's status for validation
        for code, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": f"#/components/schemas/{envelope}"}, (where, code)
        public = path.startswith("/v4/public/")
        assert ("security" not in operation) is public, where
        if not public:
            assert {"401", "403", "404"} <= set(errors), where
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            assert "x-meetergo-api-user-id" in headers, where
        success = next(r for code, r in operation["responses"].items() if code[0] == "2")
        if operation["operationId"] not in PRE_ENCODED:
            assert "x-request-id" in success.get("headers", {}), where


def test_operation_specific_statuses_name_real_operations() -> None:
    names = {
        handler.handler_name
        for route in create_app(load_settings({})).routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
    }
    assert set(SPECIFIC) - names == set()
    assert IDEMPOTENT - names == set()
    by_id = {operation["operationId"]: operation for _, _, operation in _operations()}
    assert "409" in by_id["createBooking"]["responses"]
    assert "406" in by_id["createWebhook"]["responses"]
    headers = {p["name"] for p in by_id["createBooking"]["parameters"]}
    assert "Idempotency-Key" in headers


def test_every_event_a_subscription_can_receive_is_described() -> None:
    document = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    described = set(document["webhooks"])
    meetario = {dotted(event.value) for event in MEETARIO_EVENTS} | {MEETARIO_PING}
    assert described == {event.value for event in EventType} | {PING} | meetario
    for name, item in document["webhooks"].items():
        body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        envelope = body["allOf"][1] if "allOf" in body else body
        kind = "event" if name in meetario else "webhookType"
        assert envelope["properties"][kind]["const"] == name
        headers = {p["name"] for p in item["post"]["parameters"]}
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= headers


def test_every_tag_is_described_and_every_operation_has_a_described_tag() -> None:
    document = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    tags = {tag["name"]: tag.get("description", "") for tag in document["tags"]}
    assert all(tags.values()), tags
    for path, method, operation in _operations():
        assert set(operation.get("tags", [])) & set(tags), f"{method.upper()} {path}"


def test_creating_operations_link_to_the_calls_that_use_what_they_made() -> None:
    by_id = {operation["operationId"]: operation for _, _, operation in _operations()}
    for source, links in LINKS.items():
        success = next(r for code, r in by_id[source]["responses"].items() if code[0] == "2")
        for name, link in success["links"].items():
            target = by_id[link["operationId"]]
            names = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
            assert set(link["parameters"]) <= names, (source, name)
        assert set(success["links"]) == set(links), source
