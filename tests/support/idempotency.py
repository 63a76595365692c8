"""What the idempotency table holds, read straight from the database: no secret, no key."""

from typing import Literal

import asyncpg

from slotwise.settings import Settings
from slotwise.web.idempotency import key_digest, unseal


async def count_rows(
    settings: Settings, table: Literal["credential", "webhook_endpoint", "webhook_delivery"]
) -> int:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return int(await conn.fetchval(f'SELECT count(*) FROM "{table}"'))  # noqa: S608
    finally:
        await conn.close()


async def assert_stored_sealed(settings: Settings, key: str, answer: bytes, *secrets: str) -> None:
    """The record of `key` holds `answer` sealed: none of `secrets` nor the key is readable in
    it, and the key with the record's caller and fingerprint opens it."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        row = await conn.fetchrow(
            "SELECT * FROM idempotency_record WHERE key_digest = $1", key_digest(key)
        )
    finally:
        await conn.close()
    assert row is not None
    assert row["sealed"] is True
    stored = " ".join(str(value) for value in row.values())
    for hidden in (key, *secrets):
        assert hidden not in stored
        assert hidden.encode() not in row["body"]
    assert unseal(row["body"], key, row["credential_id"], row["fingerprint"]) == answer
