"""Wire structs: camelCase on the wire, unknown input fields refused."""

import msgspec


class WireStruct(msgspec.Struct, rename="camel", kw_only=True):
    """Base of every response body."""


class InputStruct(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    """Base of every request body: a misspelled field is a 400 naming it, never dropped."""
