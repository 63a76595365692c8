"""PURE OAuth secrets: random tokens, their stored digests, PKCE S256 (RFC 7636) and redirect
URI rules.

Every token is 32 random bytes (256 bits); a SHA-256 digest is all that is stored, and a
presented token is found by its digest (a guess must hit one of 2^256 values; argon2 would add
nothing but cost).
"""

import base64
import hashlib
import re
import secrets
from urllib.parse import urlsplit

#: RFC 7636 section 4.1: 43 to 128 unreserved characters
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
#: a base64url SHA-256 without padding is 43 characters
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def new_token(prefix: str) -> str:
    return f"{prefix}{secrets.token_urlsafe(32)}"


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def s256(verifier: str) -> str:
    raw = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def is_challenge(challenge: str) -> bool:
    return _CHALLENGE.fullmatch(challenge) is not None


def verifier_matches(verifier: str | None, challenge: str) -> bool:
    """Whether `verifier` is well formed and hashes to `challenge` (compared in constant time)."""
    if verifier is None or _VERIFIER.fullmatch(verifier) is None:
        return False
    return secrets.compare_digest(s256(verifier), challenge)


def redirect_uri_problem(uri: str) -> str | None:
    """Why `uri` cannot be registered (None: it can): https, or http on a loopback address
    (RFC 8252 for native apps), absolute, without a fragment."""
    if "#" in uri:
        return "Must not have a fragment"
    try:
        parts = urlsplit(uri)
        host = parts.hostname
        _ = parts.port  # a port that is no number raises here
    except ValueError:
        return "Must be a valid URL"
    if not host:
        return "Must be an absolute URL"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return None
    return "Must be https (http only on a loopback address)"


def csrf_for(session_cookie: str) -> str:
    """The consent form's anti-forgery value, derived from the session cookie: another site can
    send the cookie along (it cannot with SameSite=Lax on a POST) but never read it."""
    return s256(f"csrf:{session_cookie}")
