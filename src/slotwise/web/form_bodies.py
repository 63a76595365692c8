"""Form bodies: a route whose JSON body is a struct can take the same document as a form
(`multipart/form-data` or `application/x-www-form-urlencoded`), as meetergo's reference page
shows for `POST /v4/user`.

A handler opts in with `request_class=FormRequest`. Each form field is one member of the JSON
document: a string member is sent as its text, an object or array member (`meetingType`) as
JSON text. The form becomes that JSON document and is then decoded and validated exactly like a
JSON body (`web.json_bodies`), so errors name the same fields, and the Idempotency-Key
fingerprint is taken from the same document. Only text fields are taken: a file is a 400.

Litestar 2 reads a handler's `data` in the one media type its `Body` names and documents that
one; `document_forms` adds the two form types to such a route's request body.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import msgspec
import msgspec.inspect as mi
from litestar import Litestar, Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    Encoding,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.routes import HTTPRoute

from slotwise.kit.errors import ValidationFailed
from slotwise.web.json_depth import DEPTH_MESSAGE, too_deep

MULTIPART = RequestEncodingType.MULTI_PART.value
URL_ENCODED = RequestEncodingType.URL_ENCODED.value
FORM_TYPES = frozenset({MULTIPART, URL_ENCODED})
JSON = "application/json"
_JSON_TEXT = (mi.StructType, mi.DictType, mi.ListType)


class FormRequest(Request[Any, Any, Any]):
    """A request whose JSON body may arrive as a form; `json()` and `json_body()` give the
    form's JSON document."""

    _document: tuple[dict[str, Any], bytes] | None = None

    @property
    def is_form(self) -> bool:
        return self.content_type[0] in FORM_TYPES

    async def json(self) -> Any:
        if self.is_form:
            return (await self._form_document())[0]
        return await super().json()

    async def json_body(self) -> bytes:
        """The body as JSON: the body itself, or the form's JSON document."""
        if self.is_form:
            return (await self._form_document())[1]
        return await self.body()

    async def _form_document(self) -> tuple[dict[str, Any], bytes]:
        if self._document is None:
            # read (and size-check) the body first: the form is parsed from it, and the body
            # stays readable afterwards
            await self.body()
            form = await self.form()
            try:
                # items(), not multi_items(): every field, duplicates too, in the order sent
                document = to_document(form.items(), json_members(body_type(self.route_handler)))
            except ValidationFailed:
                await form.close()  # any uploaded file
                raise
            self._document = (document, msgspec.json.encode(document))
        return self._document


async def json_body(request: Request[Any, Any, Any]) -> bytes:
    """The request's body as JSON (a form's, on a route that takes forms)."""
    if isinstance(request, FormRequest):
        return await request.json_body()
    return await request.body()


def to_document(items: Iterable[tuple[str, Any]], json_names: frozenset[str]) -> dict[str, Any]:
    """The JSON document a form stands for: each field one member, JSON text decoded."""
    document: dict[str, Any] = {}
    for name, value in items:
        if isinstance(value, UploadFile):
            raise ValidationFailed.field(name, "Must be a text field, not a file")
        if name in document:
            raise ValidationFailed.field(name, "Given more than once")
        document[name] = _decode_json(name, value) if name in json_names else value
    return document


def _decode_json(name: str, text: str) -> Any:
    if too_deep(text) is not None:
        raise ValidationFailed.field(name, DEPTH_MESSAGE)
    try:
        return msgspec.json.decode(text)
    except msgspec.DecodeError as exc:
        raise ValidationFailed.field(name, f"Must be JSON text ({exc})") from exc


def body_type(handler: HTTPRouteHandler) -> type[msgspec.Struct]:
    annotation = handler.parsed_fn_signature.parameters["data"].annotation
    if not (isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)):
        raise TypeError(f"{handler.handler_name}: a form body stands for a struct")
    return annotation


@dataclass(frozen=True)
class _Member:
    field: mi.Field
    #: the field's types other than None
    types: tuple[mi.Type, ...]
    as_json: bool


@functools.cache
def _members(struct: type[msgspec.Struct]) -> tuple[_Member, ...]:
    info = mi.type_info(struct)
    assert isinstance(info, mi.StructType)  # noqa: S101 - body_type checked it
    members = []
    for field in info.fields:
        inner = field.type.types if isinstance(field.type, mi.UnionType) else (field.type,)
        types = tuple(_bare(t) for t in inner if not isinstance(t, mi.NoneType))
        if all(_is_text(t) for t in types):
            members.append(_Member(field, types, as_json=False))
        elif all(isinstance(t, _JSON_TEXT) for t in types):
            members.append(_Member(field, types, as_json=True))
        else:
            raise TypeError(f"{struct.__name__}.{field.name}: a form field is text or JSON text")
    return tuple(members)


def _bare(kind: mi.Type) -> mi.Type:
    """The type under its schema annotations (the document takes those from the JSON body's
    schema, `web.document`)."""
    return kind.type if isinstance(kind, mi.Metadata) else kind


def _is_text(kind: mi.Type) -> bool:
    if isinstance(kind, mi.LiteralType):
        return all(isinstance(value, str) for value in kind.values)
    return isinstance(kind, mi.StrType)


def json_members(struct: type[msgspec.Struct]) -> frozenset[str]:
    """The members a form sends as JSON text (objects and arrays)."""
    return frozenset(m.field.encode_name for m in _members(struct) if m.as_json)


def _text_schema(kind: mi.Type) -> Schema:
    if isinstance(kind, mi.LiteralType):
        return Schema(type=OpenAPIType.STRING, enum=list(kind.values))
    assert isinstance(kind, mi.StrType)  # noqa: S101 - _members allows nothing else
    return Schema(
        type=OpenAPIType.STRING,
        min_length=kind.min_length,
        max_length=kind.max_length,
        pattern=kind.pattern,
    )


def _member_schema(member: _Member) -> Schema:
    if member.as_json:
        (kind, *others) = member.types
        content = (
            Reference(ref=f"#/components/schemas/{kind.cls.__name__}")
            if isinstance(kind, mi.StructType) and not others
            else None
        )
        return Schema(
            type=OpenAPIType.STRING,
            content_media_type=JSON,
            content_schema=content,
            description=f"`{member.field.encode_name}` as JSON text",
        )
    schemas = [_text_schema(kind) for kind in member.types]
    schema = schemas[0] if len(schemas) == 1 else Schema(one_of=schemas)
    default = member.field.default
    if default is not msgspec.NODEFAULT and default is not None:
        schema.default = default
    return schema


def form_schema(struct: type[msgspec.Struct]) -> Schema:
    """The form that stands for `struct`: its members as text fields, objects as JSON text."""
    members = _members(struct)
    return Schema(
        type=OpenAPIType.OBJECT,
        properties={m.field.encode_name: _member_schema(m) for m in members},
        required=[m.field.encode_name for m in members if m.field.required] or None,
        additional_properties=False,
    )


def _form_operation(struct: type[msgspec.Struct]) -> type[Operation]:
    schema = form_schema(struct)
    encoding = {name: Encoding(content_type=JSON) for name in sorted(json_members(struct))}

    @dataclass
    class FormOperation(Operation):
        def __post_init__(self) -> None:
            if isinstance(self.request_body, RequestBody):
                content = self.request_body.content
                content[MULTIPART] = OpenAPIMediaType(schema=schema, encoding=encoding)
                content[URL_ENCODED] = OpenAPIMediaType(schema=schema)

    return FormOperation


def document_forms(app: Litestar) -> None:
    """List the form types next to JSON in the request body of each route that takes forms
    (read when the document is first built)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if issubclass(handler.resolve_request_class(), FormRequest):
                handler.operation_class = _form_operation(body_type(handler))
