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
from slotwise.web.idempotency import HEADER, KEY_PATTERN, MAX_KEY_LENGTH

REF_TEMPLATE = "#/components/schemas/{name}"


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


def refine(document: dict[str, Any]) -> dict[str, Any]:
    """Make the generated document exact (in place; running it twice changes nothing)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in _request_schemas().items():
        if name in schemas:
            schemas[name] = schema
    schemas[ZONE_SCHEMA] = _zone_schema()
    _tighten_idempotency_header(document)
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
