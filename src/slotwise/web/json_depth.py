"""How deep a JSON text nests, found without decoding it.

msgspec and the standard library decode nested arrays and objects recursively: a body of a few
thousand `[` raises RecursionError (a 500), and the helpers that walk a decoded value recurse
too. No request document nests more than a handful of levels, so a body (or a form member
holding JSON text) deeper than `MAX_DEPTH` is refused before anything decodes it.
"""

import json
import re

#: far above any request document (a meeting type with its inline schedule is 6 deep), far
#: below the recursion limit of any decoder
MAX_DEPTH = 32
DEPTH_MESSAGE = f"Must not nest arrays and objects more than {MAX_DEPTH} levels deep"

#: a JSON string (skipped, with any brackets in it) or one bracket
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_QUOTE, _OPENING = ord('"'), frozenset(b"[{")


def too_deep(text: bytes | str) -> str | None:
    """None when `text` nests at most `MAX_DEPTH` levels; otherwise the top-level member the
    excess is in ("" when the document is not an object, or the member cannot be told)."""
    raw = text.encode() if isinstance(text, str) else text
    level = 0
    in_object = False
    member: bytes | None = None
    for match in _TOKEN.finditer(raw):
        token = match.group()
        if token[0] == _QUOTE:
            if level == 1:
                member = token  # a key, or a value; the last one before a bracket is its key
            continue
        if token[0] in _OPENING:
            if level == 0:
                in_object = token == b"{"
            level += 1
            if level > MAX_DEPTH:
                return _member_name(member) if in_object else ""
        else:
            level = max(level - 1, 0)
    return None


def _member_name(token: bytes | None) -> str:
    if token is None:
        return ""
    try:
        name = json.loads(token)
    except ValueError:
        return ""
    return name if isinstance(name, str) else ""
