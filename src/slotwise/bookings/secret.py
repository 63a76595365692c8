"""Invitee secrets: shown once, stored as SHA-256, compared in constant time.

A secret carries 256 random bits, so a fast hash is enough (nothing to brute-force).
"""

import hashlib
import hmac
import secrets


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A fresh secret and its stored digest."""
    secret = secrets.token_urlsafe(32)
    return secret, digest(secret)


def matches(secret: str, stored: str | None) -> bool:
    return stored is not None and hmac.compare_digest(digest(secret), stored)
