"""The finished API document: what the framework generates, made exact where it is not.

Request bodies are decoded by msgspec, so their schemas are msgspec's own (nested constraints,
`additionalProperties: false`, the zone list) rather than the framework's reading of the same
structs, which drops constraints on list items and map values and allows unknown fields. The
`Idempotency-Key` header gets the character rule its check applies.
"""

from dataclasses import fields
from functools import cache
from typing import Any

import msgspec
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI

from slotwise.kit.wire import ZONE_SCHEMA, InputStruct
from slotwise.kit.zones import zones
from slotwise.web.examples import add_request_examples
from slotwise.web.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH

REF_TEMPLATE = "#/components/schemas/{name}"

_ID = "$response.body#/id"
_Links = dict[str, tuple[str, dict[str, str]]]


def _each(targets: tuple[str, ...], parameter: str, value: str) -> _Links:
    return {target: (target, {parameter: value}) for target in targets}


#: what a created resource leads to (OpenAPI links, by the creating operation): the next calls a
#: client makes with its id, which a generated client and a stateful fuzzer can follow
LINKS: dict[str, _Links] = {
    "createUser": _each(
        ("getUser", "updateUser", "deleteUser"), "user_id", "$response.body#/userId"
    )
    | {
        "getAvailability": (
            "getAvailability",
            {"availability_id": "$response.body#/availabilityId"},
        ),
        "getMeetingType": ("getMeetingType", {"meeting_type_id": "$response.body#/meetingTypeId"}),
    },
    "createAvailability": _each(
        (
            "getAvailability",
            "updateAvailability",
            "deleteAvailability",
            "createAvailabilityException",
            "importHolidayExceptions",
        ),
        "availability_id",
        _ID,
    ),
    "createAvailabilityException": {
        "deleteAvailabilityException": (
            "deleteAvailabilityException",
            {"availability_id": "$request.path.availability_id", "exception_id": _ID},
        )
    },
    "createMeetingType": _each(
        ("getMeetingType", "updateMeetingType", "deleteMeetingType"), "meeting_type_id", _ID
    ),
    "createBooking": _each(
        (
            "getAppointment",
            "getAppointmentIcs",
            "listAppointmentNotifications",
            "cancelAppointment",
            "rescheduleAppointment",
            "deleteAppointment",
        ),
        "appointment_id",
        "$response.body#/appointmentId",
    )
    | _each(
        ("confirmProvisionalBooking", "declineProvisionalBooking"),
        "provisional_booking_id",
        "$response.body#/provisionalBookingId",
    ),
    "createApiKey": _each(("activateApiKey", "deactivateApiKey", "revokeApiKey"), "key_id", _ID),
    "createPersonalAccessToken": {
        "revokePersonalAccessToken": (
            "revokePersonalAccessToken",
            {"user_id": "$request.path.user_id", "token_id": _ID},
        )
    },
    "createWebhook": _each(
        (
            "getWebhook",
            "updateWebhook",
            "deleteWebhook",
            "listWebhookDeliveries",
            "rotateWebhookSecret",
            "testWebhook",
        ),
        "webhook_id",
        _ID,
    ),
    "redeliverWebhookDelivery": _each(("getWebhookDelivery",), "delivery_id", _ID),
}


def _input_structs() -> list[type[InputStruct]]:
    found: list[type[InputStruct]] = []
    pending = [InputStruct]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return sorted(found, key=lambda struct: struct.__name__)


@cache
def _request_schemas() -> dict[str, Any]:
    """msgspec's schemas of every request body struct, by the struct's name (the name the
    framework gives their components)."""
    _, components = msgspec.json.schema_components(_input_structs(), ref_template=REF_TEMPLATE)
    for schema in components.values():
        _decimals_take_numbers(schema)
    return components


def _decimals_take_numbers(schema: Any) -> None:
    """msgspec documents a decimal as a string, yet decodes a JSON number into one as well."""
    if isinstance(schema, dict):
        if schema.get("format") == "decimal" and schema.get("type") == "string":
            schema["type"] = ["string", "number"]
        for value in schema.values():
            _decimals_take_numbers(value)
    elif isinstance(schema, list):
        for item in schema:
            _decimals_take_numbers(item)


def _zone_schema() -> dict[str, Any]:
    return {
        "type": "string",
        "description": "An IANA time zone name",
        "enum": sorted(zones()),
        "examples": ["Europe/Berlin"],
    }


def _tighten_idempotency_header(document: dict[str, Any]) -> None:
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") == HEADER:
                    parameter["schema"] = {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": MAX_KEY_LENGTH,
                        "pattern": KEY_PATTERN,
                    }


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for path_item in document.get("paths", {}).values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _add_links(document: dict[str, Any]) -> None:
    operations = _operations(document)
    for source, links in LINKS.items():
        operation = operations[source]
        success = next(status for status in sorted(operation["responses"]) if status < "300")
        operation["responses"][success]["links"] = {
            name: {"operationId": target, "parameters": parameters}
            for name, (target, parameters) in links.items()
            if target in operations
        }


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A form field is left out rather than null: the schema's non-null alternative."""
    branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
    if len(branches) != 1 or len(schema.get("anyOf", [])) != 2:
        return schema
    merged: dict[str, Any] = {
        k: v for k, v in schema.items() if k not in {"anyOf", "default"}
    } | branches[0]
    if schema.get("default") is not None:
        merged["default"] = schema["default"]
    return merged


def _forms_follow_json(document: dict[str, Any]) -> None:
    """A form body's text fields have the rules of the same fields of the JSON body."""
    schemas = document["components"]["schemas"]
    for operation in _operations(document).values():
        content = operation.get("requestBody", {}).get("content", {})
        reference = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        properties = schemas.get(reference.rsplit("/", 1)[-1], {}).get("properties", {})
        for media_type, body in content.items():
            if media_type == "application/json":
                continue
            fields = body.get("schema", {}).get("properties", {})
            for name, field in fields.items():
                if "contentMediaType" not in field and name in properties:
                    fields[name] = _without_null(properties[name])


def _optional_bodies(document: dict[str, Any]) -> None:
    """A body the handler may go without (`JSONBody[X | None] = None`) is not required: sent
    empty, it is the same as `null`."""
    for operation in _operations(document).values():
        body = operation.get("requestBody", {})
        schema = body.get("content", {}).get("application/json", {}).get("schema", {})
        if {"type": "null"} in schema.get("oneOf", schema.get("anyOf", [])):
            body["required"] = False


def refine(document: dict[str, Any]) -> dict[str, Any]:
    """Make the generated document exact (in place; running it twice changes nothing)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _request_schemas().items():
        if name in schemas:
            schemas[name] = schema
    schemas[ZONE_SCHEMA] = _zone_schema()
    _tighten_idempotency_header(document)
    _add_links(document)
    _forms_follow_json(document)
    _optional_bodies(document)
    add_request_examples(_operations(document))
    return document


class Document(OpenAPI):
    """The document object the app serves and `slotwise openapi` writes."""

    def to_schema(self) -> dict[str, Any]:
        return refine(super().to_schema())


class DocumentConfig(OpenAPIConfig):
    """OpenAPIConfig whose document is a `Document`, so every way of reading it is refined."""

    def to_openapi_schema(self) -> OpenAPI:
        base = super().to_openapi_schema()
        return Document(**{field.name: getattr(base, field.name) for field in fields(base)})
