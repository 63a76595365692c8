"""The hosted connect form's link: who may connect which calendar, for an hour.

meetergo's `GET /v4/calendar-connections/auth/{provider}/url` answers a link for providers
without OAuth too. slotwise's link opens a form on the booking site (`/cc`); the grant rides in
the link's fragment (it never reaches a server log), sealed under `SLOTWISE_SECRET_KEYS`: the
company, the user, the provider and where to send the user back afterwards. Whoever holds the
link may connect a calendar for that user until it expires, as with an OAuth state.
"""

import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import msgspec

from slotwise.kit.sealing import Keyring, SealError

CONTEXT = "calendar_connect_link"
LIFETIME_SECONDS = 3600


class _Grant(msgspec.Struct, frozen=True):
    company: uuid.UUID
    user: uuid.UUID
    provider: str
    redirect: str | None
    expires: int


@dataclass(frozen=True)
class Grant:
    company_id: uuid.UUID
    user_id: uuid.UUID
    provider: str
    redirect_url: str | None


def make_link(
    keyring: Keyring,
    public_url: str,
    grant: Grant,
    now: float | None = None,
) -> str:
    expires = int((now or time.time()) + LIFETIME_SECONDS)
    sealed = keyring.seal(
        msgspec.json.encode(
            _Grant(grant.company_id, grant.user_id, grant.provider, grant.redirect_url, expires)
        ).decode(),
        CONTEXT,
    )
    return f"{public_url.rstrip('/')}/cc?{urlencode({'provider': grant.provider})}#{sealed}"


def read_token(keyring: Keyring, token: str, now: float | None = None) -> Grant | None:
    """The grant of a link's token; None when it does not open or has expired."""
    try:
        found = msgspec.json.decode(keyring.open(token, CONTEXT), type=_Grant)
    except (SealError, msgspec.DecodeError, msgspec.ValidationError):
        return None
    if found.expires < (now or time.time()):
        return None
    return Grant(found.company, found.user, found.provider, found.redirect)


def back_to(redirect_url: str | None, **params: str) -> str | None:
    """meetergo's convention: `redirectUrl?success=true&provider=…&connectionId=…` (or
    `?error=true&provider=…&message=…`)."""
    if not redirect_url:
        return None
    joiner = "&" if "?" in redirect_url else "?"
    return f"{redirect_url}{joiner}{urlencode(params)}"
