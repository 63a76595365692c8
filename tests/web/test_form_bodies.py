"""A form stands for a JSON document: text fields as they are, object members as JSON text."""

from typing import Annotated, Literal

import msgspec
import pytest

from slotwise.kit.errors import ValidationFailed
from slotwise.users.inputs import UserCreate
from slotwise.web.form_bodies import form_schema, json_members, to_document


class Inner(msgspec.Struct):
    size: int


class Shape(msgspec.Struct, rename="camel"):
    name: Annotated[str, msgspec.Meta(max_length=10)]
    kind: Literal["a", "b"] = "a"
    inner_part: Inner | None = None
    tags: list[str] = []


class Counted(msgspec.Struct):
    count: int


def test_object_and_array_members_are_json_text() -> None:
    assert json_members(Shape) == {"innerPart", "tags"}
    assert json_members(UserCreate) == {"availability", "meetingType"}


def test_a_form_needs_text_or_json_members() -> None:
    with pytest.raises(TypeError, match=r"Counted\.count"):
        json_members(Counted)


def test_the_document_decodes_json_text_and_keeps_text_as_it_is() -> None:
    items = [("name", "42"), ("innerPart", '{"size": 3}'), ("other", "[1]")]
    assert to_document(items, json_members(Shape)) == {
        "name": "42",
        "innerPart": {"size": 3},
        "other": "[1]",
    }


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([("innerPart", "{size: 3}")], "Must be JSON text"),
        ([("name", "a"), ("name", "b")], "Given more than once"),
    ],
)
def test_bad_fields_are_named(items: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        to_document(items, json_members(Shape))
    (error,) = raised.value.errors
    assert error.field == items[0][0]
    assert error.message.startswith(message)


def test_the_schema_shows_json_members_as_strings() -> None:
    schema = form_schema(Shape).to_schema()
    assert schema["required"] == ["name"]
    assert schema["properties"]["name"] == {"type": "string", "maxLength": 10}
    assert schema["properties"]["kind"] == {"type": "string", "enum": ["a", "b"], "default": "a"}
    inner = schema["properties"]["innerPart"]
    assert inner["type"] == "string"
    assert inner["contentMediaType"] == "application/json"
    assert inner["contentSchema"] == {"$ref": "#/components/schemas/Inner"}
    assert "contentSchema" not in schema["properties"]["tags"]
