"""An endpoint's signing secrets as stored: sealed under `SLOTWISE_SECRET_KEYS`, opened to sign.

Each sealed value is bound to its endpoint (copied to another endpoint it does not open). A
stored value without the sealed prefix was written before secrets were sealed: it is read as
plain text until `slotwise secrets rotate` (`webhooks.resealing`) seals it.
"""

import uuid
from datetime import datetime

from slotwise.kit.sealing import Keyring, is_sealed
from slotwise.models import WebhookEndpoint


def _context(endpoint_id: uuid.UUID) -> str:
    return f"webhook_endpoint:{endpoint_id}"


def seal(keyring: Keyring, endpoint_id: uuid.UUID, secret: str) -> str:
    return keyring.seal(secret, _context(endpoint_id))


def open_secret(keyring: Keyring, endpoint_id: uuid.UUID, stored: str) -> str:
    """The plain `whsec_…` secret; SealError when no listed key opens it."""
    if not is_sealed(stored):
        return stored  # written before sealing
    return keyring.open(stored, _context(endpoint_id))


def signing_secrets(keyring: Keyring, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while its rotation window lasts, opened."""
    found = [open_secret(keyring, endpoint.id, endpoint.secret)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        found.append(open_secret(keyring, endpoint.id, endpoint.previous_secret))
    return found


def resealed(keyring: Keyring, endpoint_id: uuid.UUID, stored: str) -> str | None:
    """`stored` sealed under the newest key; None when it already is. Raises SealError when
    no listed key opens it."""
    if keyring.is_current(stored):
        return None
    return seal(keyring, endpoint_id, open_secret(keyring, endpoint_id, stored))
