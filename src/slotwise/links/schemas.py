"""Wire shapes of one-time booking links."""

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from slotwise.kit.wire import InputStruct, WireStruct

DEFAULT_EXPIRY_DAYS = 30
ExpiresInDays = Annotated[
    int, msgspec.Meta(ge=1, le=365, description="Days until the link expires unused")
]


class OneTimeLinkCreate(InputStruct):
    """The body is optional: without it the link expires after 30 days unused."""

    expires_in_days: ExpiresInDays = DEFAULT_EXPIRY_DAYS


class OneTimeLink(WireStruct):
    """A new link. `token` is shown once (only its digest is kept); `url` and `link` are the
    same booking page address, which books one slot and then stops working."""

    id: uuid.UUID
    url: str
    link: str
    token: str
    expires_at: datetime


class OneTimeLinkCreated(OneTimeLink):
    meeting_type_id: uuid.UUID
