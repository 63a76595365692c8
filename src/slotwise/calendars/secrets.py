"""A connection's URL, user name and password as stored: sealed under `SLOTWISE_SECRET_KEYS`,
bound to the connection (copied to another row it does not open)."""

import uuid

import msgspec

from slotwise.kit.sealing import Keyring


class Login(msgspec.Struct, frozen=True):
    url: str
    username: str | None = None
    password: str | None = None


def _context(connection_id: uuid.UUID) -> str:
    return f"calendar_connection:{connection_id}"


def seal(keyring: Keyring, connection_id: uuid.UUID, login: Login) -> str:
    return keyring.seal(msgspec.json.encode(login).decode(), _context(connection_id))


def open_login(keyring: Keyring, connection_id: uuid.UUID, stored: str) -> Login:
    """SealError when no listed key opens it."""
    return msgspec.json.decode(keyring.open(stored, _context(connection_id)), type=Login)
