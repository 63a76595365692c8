"""Wire shapes of credential management."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from slotwise.auth.scopes import SCOPES, ScopeName
from slotwise.kit.wire import InputStruct, WireStruct

Status = Literal["active", "inactive", "revoked", "expired"]
TokenFormat = Literal["rgo", "pat"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class ApiKeyCreate(InputStruct):
    expires_in_days: Annotated[int, msgspec.Meta(ge=1, le=90)]
    name: Name | None = None


class ApiKeyCreated(WireStruct):
    """The only response that carries the secret."""

    id: uuid.UUID
    name: str | None
    api_key: str
    expires_at: datetime
    status: Status


class ApiKey(WireStruct):
    id: uuid.UUID
    name: str | None
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    status: Status


class PersonalAccessTokenCreate(InputStruct):
    name: Name
    scopes: Annotated[
        list[ScopeName],
        msgspec.Meta(
            min_length=1,
            max_length=len(SCOPES),
            description=(
                "meetergo's broad `scheduling` and `account`, and Meetario's resource scopes"
                " (`events:read` ...). Duplicates collapse."
            ),
        ),
    ]
    expires_at: datetime | None = None
    format: Annotated[
        TokenFormat,
        msgspec.Meta(
            description=(
                "`rgo` (default): `rgo-` and 32 characters, as meetergo."
                " `pat`: `pat_` and 40 characters, as Meetario clients send."
            )
        ),
    ] = "rgo"


class PersonalAccessTokenCreated(WireStruct):
    """The only response that carries the token."""

    id: uuid.UUID
    name: str
    token: str
    scopes: list[str]
    expires_at: datetime | None


class PersonalAccessToken(WireStruct):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    status: Status
