"""Secrets that must stay readable (they sign or log in somewhere) but never lie in clear at rest.

Operators list keys in `SLOTWISE_SECRET_KEYS`, newest first: each is 32 random bytes in URL-safe
base64 (`new_key()`). A value is sealed with AES-256-GCM under the newest key and stored as
`sealed:v1:<key id>:<base64url(nonce + ciphertext)>`; the key id (a fingerprint of the key)
says which listed key opens it, so older keys keep opening what they sealed until the values
are sealed again under the newest one. The caller names what the value is for (`context`, bound
as associated data): a sealed value copied to another row or column does not open there.
"""

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "sealed:v1:"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_CHARS = 8


class SealError(Exception):
    """A stored value cannot be opened (its key is not listed, or it was altered), or there is
    no key to seal with. The message never holds key material or the value."""


def new_key() -> str:
    """A fresh key for `SLOTWISE_SECRET_KEYS`."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key: names it in stored values and in logs."""
    return hashlib.sha256(b"slotwise-secret-key\0" + key).hexdigest()[:KEY_ID_CHARS]


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def sealed_key_id(stored: str) -> str | None:
    """The id of the key a stored value was sealed with; None for a value not sealed."""
    if not is_sealed(stored):
        return None
    return stored[len(PREFIX) :].partition(":")[0]


def _decode_key(text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != KEY_BYTES or base64.urlsafe_b64encode(raw).decode() != text:
        raise ValueError("is not 32 bytes in URL-safe base64 (44 characters)")
    return raw


@dataclass(frozen=True)
class _Key:
    id: str
    cipher: AESGCM


class Keyring:
    """The listed keys, newest first; it seals with the first and opens with any."""

    def __init__(self, keys: list[bytes]) -> None:
        self._keys = tuple(_Key(key_id(key), AESGCM(key)) for key in keys)
        self._by_id = {key.id: key for key in self._keys}

    @classmethod
    def parse(cls, text: str) -> "Keyring":
        """Keys from `SLOTWISE_SECRET_KEYS` (comma-separated); ValueError names the bad one by
        its position, never by its value."""
        parts = [part.strip() for part in text.split(",")] if text.strip() else []
        keys: list[bytes] = []
        for position, part in enumerate(parts, start=1):
            where = f"key {position} of {len(parts)}"
            if not part:
                raise ValueError(f"{where} is empty")
            try:
                key = _decode_key(part)
            except ValueError as exc:
                raise ValueError(f"{where} {exc}") from None
            if key in keys:
                raise ValueError(f"{where} repeats an earlier key")
            keys.append(key)
        return cls(keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    @property
    def ids(self) -> list[str]:
        """The key ids, newest first."""
        return [key.id for key in self._keys]

    @property
    def current_id(self) -> str | None:
        return self._keys[0].id if self._keys else None

    def seal(self, plain: str, context: str) -> str:
        """`plain` sealed under the newest key, for the use named by `context`."""
        if not self._keys:
            raise SealError("no key to seal with: SLOTWISE_SECRET_KEYS is not set")
        key, nonce = self._keys[0], os.urandom(NONCE_BYTES)
        sealed = nonce + key.cipher.encrypt(nonce, plain.encode(), context.encode())
        data = base64.urlsafe_b64encode(sealed).decode().rstrip("=")
        return f"{PREFIX}{key.id}:{data}"

    def open(self, stored: str, context: str) -> str:
        """The plain value of a sealed one; SealError when no listed key opens it."""
        if not is_sealed(stored):
            raise SealError("the value is not sealed")
        kid, _, data = stored[len(PREFIX) :].partition(":")
        key = self._by_id.get(kid)
        if key is None:
            raise SealError(f"sealed with key {kid}, which SLOTWISE_SECRET_KEYS does not list")
        try:
            raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
            plain = key.cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
            return plain.decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise SealError(f"a value sealed with key {kid} does not open: altered") from exc

    def is_current(self, stored: str) -> bool:
        """Sealed under the newest key (nothing to do on a rotation)."""
        return self.current_id is not None and sealed_key_id(stored) == self.current_id
