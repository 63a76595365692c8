"""PURE `nextCursor` of the lists sorted by `updatedAt`: the last row's `(updatedAt, id)`.

Ordering by both makes the order total, so rows sharing a timestamp are neither skipped nor
repeated across pages; the lists also hold back rows that a transaction still running might yet
precede (`db.settled`), so a poller that passes each cursor back never misses a row.
"""

import base64
import binascii
import uuid
from datetime import UTC, datetime, timedelta

from slotwise.kit.errors import ValidationFailed

_PREFIX = "u1"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def encode(updated_at: datetime, row_id: uuid.UUID) -> str:
    micros = (updated_at - EPOCH) // _MICRO  # exact: a float would round
    raw = f"{_PREFIX}:{micros}:{row_id.hex}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, field: str = "cursor") -> tuple[datetime, uuid.UUID]:
    """The `(updatedAt, id)` a cursor names; a malformed one is a 400 naming `field`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, micros, hex_id = raw.split(":")
        if prefix != _PREFIX:
            raise ValueError(prefix)
        at = EPOCH + int(micros) * _MICRO
        return at, uuid.UUID(hex=hex_id)
    except (ValueError, OverflowError, OSError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed.field(field, "Not a cursor this API gave") from exc
