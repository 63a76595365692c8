"""PURE: the Meetario sheet's ids. Every resource has an integer `id` (an identity column,
never reused) and a prefixed string `uuid` made from its UUID (`evt_<32 hex>`); a path accepts
either, and the plain UUID too, so ids copied from /v4 work as well."""

import enum
import uuid


class Kind(enum.StrEnum):
    EVENT = "evt_"
    EVENT_TYPE = "et_"
    USER = "usr_"
    WEBHOOK = "wh_"
    DELIVERY = "del_"


#: the largest integer id a path may name (PostgreSQL bigint)
MAX_NUMBER = 2**63 - 1


def prefixed(kind: Kind, value: uuid.UUID) -> str:
    return f"{kind.value}{value.hex}"


def parse_ref(kind: Kind, raw: str) -> int | uuid.UUID | None:
    """An integer id, a prefixed id of this kind or a UUID; None when it is none of those
    (answered like an unknown id: 404)."""
    if raw.isascii() and raw.isdigit():
        number = int(raw)
        return number if 0 < number <= MAX_NUMBER else None
    text = raw.removeprefix(kind.value)
    if text == raw and "_" in raw:
        return None  # another kind's prefix
    if len(text) not in (32, 36) or not text.isascii():
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
