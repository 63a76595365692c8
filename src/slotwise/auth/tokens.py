"""PURE token formats: generate and parse `ak_live:<uuid>:<secret>`, `rgo-<id><secret>`,
`pat_<id><secret>` and OAuth access tokens `oat_<id><secret>`.

Both personal access token forms share one credential table and its `lookup_id` column: `rgo-`
keeps meetergo's 36-character shape, `pat_` is the shape Meetario clients send.

A parse failure returns None before any database work: malformed tokens cost nothing.
"""

import enum
import re
import secrets
import string
import uuid
from dataclasses import dataclass

API_KEY_PREFIX = "ak_live:"
PAT_PREFIX = "rgo-"
PAT_ID_LENGTH = 8
PAT_SECRET_LENGTH = 24
MEETARIO_PAT_PREFIX = "pat_"
MEETARIO_PAT_SECRET_LENGTH = 32
OAUTH_PREFIX = "oat_"
OAUTH_ID_LENGTH = 16
OAUTH_SECRET_LENGTH = 43
_BASE62 = string.ascii_letters + string.digits
_API_KEY = re.compile(
    r"^ak_live:(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):"
    r"(?P<secret>[A-Za-z0-9_-]{43})$"
)
_PAT = re.compile(
    rf"^rgo-(?P<id>[A-Za-z0-9]{{{PAT_ID_LENGTH}}})(?P<secret>[A-Za-z0-9]{{{PAT_SECRET_LENGTH}}})$"
)
_MEETARIO_PAT = re.compile(
    rf"^pat_(?P<id>[A-Za-z0-9]{{{PAT_ID_LENGTH}}})"
    rf"(?P<secret>[A-Za-z0-9]{{{MEETARIO_PAT_SECRET_LENGTH}}})$"
)

_OAUTH = re.compile(
    rf"^oat_(?P<id>[A-Za-z0-9]{{{OAUTH_ID_LENGTH}}})(?P<secret>[A-Za-z0-9]{{{OAUTH_SECRET_LENGTH}}})$"
)


class TokenKind(enum.StrEnum):
    API_KEY = "api_key"
    PAT = "pat"
    OAUTH = "oauth"


class PatStyle(enum.StrEnum):
    """The written form of a personal access token; both authenticate alike."""

    RGO = "rgo"
    PAT = "pat"


@dataclass(frozen=True, slots=True)
class ParsedToken:
    kind: TokenKind
    lookup_id: str
    secret: str


@dataclass(frozen=True, slots=True)
class NewToken:
    token: str
    lookup_id: str
    secret: str
    display_prefix: str


def parse(bearer: str) -> ParsedToken | None:
    """Split a bearer token into kind, lookup id and secret; None when malformed."""
    if bearer.startswith(API_KEY_PREFIX):
        match = _API_KEY.match(bearer)
        if match is None:
            return None
        return ParsedToken(TokenKind.API_KEY, match.group("id"), match.group("secret"))
    if bearer.startswith(OAUTH_PREFIX):
        match = _OAUTH.match(bearer)
        if match is None:
            return None
        return ParsedToken(TokenKind.OAUTH, match.group("id"), match.group("secret"))
    if bearer.startswith(PAT_PREFIX):
        match = _PAT.match(bearer)
    elif bearer.startswith(MEETARIO_PAT_PREFIX):
        match = _MEETARIO_PAT.match(bearer)
    else:
        return None
    if match is None:
        return None
    return ParsedToken(TokenKind.PAT, match.group("id"), match.group("secret"))


def new_api_key(key_id: uuid.UUID) -> NewToken:
    secret = secrets.token_urlsafe(32)  # 256 bits, 43 characters
    lookup = str(key_id)
    return NewToken(
        f"{API_KEY_PREFIX}{lookup}:{secret}", lookup, secret, f"{API_KEY_PREFIX}{lookup[:8]}"
    )


def new_pat(style: PatStyle = PatStyle.RGO) -> NewToken:
    """A personal access token: `rgo-` (24-character secret, ~143 bits) or `pat_` (32, ~190)."""
    if style is PatStyle.PAT:
        prefix, secret_length = MEETARIO_PAT_PREFIX, MEETARIO_PAT_SECRET_LENGTH
    else:
        prefix, secret_length = PAT_PREFIX, PAT_SECRET_LENGTH
    lookup = "".join(secrets.choice(_BASE62) for _ in range(PAT_ID_LENGTH))
    secret = "".join(secrets.choice(_BASE62) for _ in range(secret_length))
    return NewToken(f"{prefix}{lookup}{secret}", lookup, secret, f"{prefix}{lookup}")


def new_oauth_access_token() -> NewToken:
    """An OAuth access token: a 16-character lookup id and a 43-character secret (~256 bits)."""
    lookup = "".join(secrets.choice(_BASE62) for _ in range(OAUTH_ID_LENGTH))
    secret = "".join(secrets.choice(_BASE62) for _ in range(OAUTH_SECRET_LENGTH))
    return NewToken(f"{OAUTH_PREFIX}{lookup}{secret}", lookup, secret, f"{OAUTH_PREFIX}{lookup}")
