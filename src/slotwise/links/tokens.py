"""A one-time link's token and the digest it is found by (only the digest is stored)."""

import hashlib
import secrets

#: 32 random bytes, 43 characters in the URL
TOKEN_BYTES = 32
#: longer than any token made here: a longer path segment is no link at all
MAX_TOKEN_LENGTH = 100


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_token() -> tuple[str, bytes]:
    """A fresh token and its digest."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, digest(token)
