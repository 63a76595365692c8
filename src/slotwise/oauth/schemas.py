"""Wire shapes of OAuth client and grant management."""

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from slotwise.auth.scopes import SCOPES, ScopeName
from slotwise.kit.wire import InputStruct, WireStruct

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
RedirectUri = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2000,
        pattern=r"^https?://[!-~]+$",
        examples=["https://app.example.com/oauth/callback"],
    ),
]
RedirectUris = Annotated[
    list[RedirectUri],
    msgspec.Meta(
        min_length=1,
        max_length=10,
        description=(
            "Where the app may be sent back to, compared exactly: https, or http on a loopback"
            " address (native apps); no fragment."
        ),
    ),
]
Scopes = Annotated[
    list[ScopeName],
    msgspec.Meta(
        min_length=1,
        max_length=len(SCOPES),
        description="The most the app may ask a user for; a user grants these or fewer.",
    ),
]


class OAuthClientCreate(InputStruct):
    name: Name
    redirect_uris: RedirectUris
    scopes: Scopes


class OAuthClientUpdate(InputStruct):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    redirect_uris: RedirectUris | msgspec.UnsetType = msgspec.UNSET
    scopes: Scopes | msgspec.UnsetType = msgspec.UNSET


class OAuthClient(WireStruct):
    id: uuid.UUID
    client_id: str
    name: str
    redirect_uris: list[str]
    scopes: list[str]
    created_at: datetime
    updated_at: datetime


class OAuthClientCreated(OAuthClient):
    """The only response that carries the client secret."""

    client_secret: str


class OAuthGrant(WireStruct):
    """A user's authorization of an app: its access and refresh tokens act under it."""

    id: uuid.UUID
    client_id: str
    client_name: str
    user_id: uuid.UUID
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None


class OAuthSignInCreate(InputStruct):
    user_id: uuid.UUID


class OAuthSignInCreated(WireStruct):
    """A single-use sign-in for the consent page, for the user the partner vouches for."""

    token: str
    #: send the user's browser here, with `next` set to the `/oauth/authorize` URL it came from
    url: str
    expires_at: datetime
