"""The committed openapi/openapi.json is exactly what the app generates."""

import json
from pathlib import Path

from slotwise.cli import openapi_document
from slotwise.settings import Settings

SNAPSHOT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def test_committed_schema_matches_the_app(settings: Settings) -> None:
    generated = openapi_document(settings)
    committed = SNAPSHOT.read_text(encoding="utf-8")
    assert json.loads(generated)["openapi"].startswith("3.1")
    assert generated == committed, "openapi/openapi.json is stale: run `slotwise openapi`"
