"""Sealing every company's webhook secrets again under the newest key (`slotwise secrets rotate`).

Run after putting a new key first in SLOTWISE_SECRET_KEYS (and after upgrading from plain-text
secrets): each secret not yet sealed under the newest key is opened and sealed again, a batch
of endpoints per transaction, rows locked while they change. A previous secret whose overlap is
over is dropped instead (it signs nothing any more). A value no listed key opens is counted and
left as it is. Secrets are not re-sealed on read: the stored values change only here and when
written anew (create, rotate-secret).
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.kit.sealing import PREFIX, Keyring, SealError
from slotwise.models import WebhookEndpoint
from slotwise.webhooks import sealed_secrets

BATCH = 200

log = logging.getLogger("slotwise.webhooks")


@dataclass
class Resealed:
    """What a run did: endpoints looked at, values sealed again, previous secrets dropped,
    endpoints with a value no listed key opens."""

    checked: int = 0
    resealed: int = 0
    dropped: int = 0
    unreadable: int = 0


def _reseal_row(keyring: Keyring, row: WebhookEndpoint, now: datetime, done: Resealed) -> None:
    try:
        if (value := sealed_secrets.resealed(keyring, row.id, row.secret)) is not None:
            row.secret = value
            done.resealed += 1
        previous = row.previous_secret
        if previous is None:
            return
        expires = row.previous_secret_expires_at
        if expires is None or expires <= now:
            row.previous_secret, row.previous_secret_expires_at = None, None
            done.dropped += 1
        elif (value := sealed_secrets.resealed(keyring, row.id, previous)) is not None:
            row.previous_secret = value
            done.resealed += 1
    except SealError as exc:
        done.unreadable += 1
        log.error("webhook endpoint %s: a secret cannot be opened (%s); left as it is", row.id, exc)


async def _batch(
    session: AsyncSession, keyring: Keyring, after: uuid.UUID | None, now: datetime
) -> list[WebhookEndpoint]:
    current = f"{PREFIX}{keyring.current_id}:%"
    stmt = (
        select(WebhookEndpoint)  # unscoped: an operator command over every company
        .where(
            or_(
                WebhookEndpoint.secret.not_like(current),
                WebhookEndpoint.previous_secret.not_like(current),
                WebhookEndpoint.previous_secret_expires_at <= now,
            )
        )
        .order_by(WebhookEndpoint.id)
        .limit(BATCH)
        .with_for_update()
    )
    if after is not None:
        stmt = stmt.where(WebhookEndpoint.id > after)
    return list((await session.scalars(stmt)).all())


async def reseal_all(
    sessions: async_sessionmaker[AsyncSession], keyring: Keyring, now: datetime
) -> Resealed:
    """Seal every webhook secret under the newest key; see the module docstring."""
    if not keyring:
        raise SealError("no key to seal with: SLOTWISE_SECRET_KEYS is not set")
    done = Resealed()
    after: uuid.UUID | None = None
    while True:
        async with sessions() as session, session.begin():
            rows = await _batch(session, keyring, after, now)
            for row in rows:
                _reseal_row(keyring, row, now, done)
        done.checked += len(rows)
        if len(rows) < BATCH:
            return done
        after = rows[-1].id
