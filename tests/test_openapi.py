"""The committed openapi/openapi.json is exactly what the app generates."""

import json
import re
from pathlib import Path

from slotwise.cli import openapi_document
from slotwise.settings import Settings

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
