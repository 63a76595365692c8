"""Credential management: create, list, deactivate, activate and revoke keys and tokens."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio.to_thread
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.auth.tokens import PatStyle, new_api_key, new_pat
from slotwise.auth.verifier import VERIFIER, Verifier
from slotwise.credentials import schemas as s
from slotwise.credentials.repository import CredentialRepository
from slotwise.kit.errors import Conflict, NotFound, ValidationFailed, check_limit
from slotwise.kit.pagination import window
from slotwise.models import Credential, CredentialKind, uuid7
from slotwise.settings import Settings
from slotwise.users.repository import UserRepository


def status_of(credential: Credential, now: datetime) -> s.Status:
    if credential.revoked_at is not None:
        return "revoked"
    if credential.expires_at is not None and credential.expires_at <= now:
        return "expired"
    return "active" if credential.active else "inactive"


def api_key_view(credential: Credential, now: datetime) -> s.ApiKey:
    return s.ApiKey(
        id=credential.id,
        name=credential.name,
        prefix=credential.display_prefix,
        created_at=credential.created_at,
        expires_at=credential.expires_at,
        last_used_at=credential.last_used_at,
        status=status_of(credential, now),
    )


def token_view(credential: Credential, now: datetime) -> s.PersonalAccessToken:
    return s.PersonalAccessToken(
        id=credential.id,
        name=credential.name or "",
        prefix=credential.display_prefix,
        scopes=list(credential.scopes),
        created_at=credential.created_at,
        expires_at=credential.expires_at,
        last_used_at=credential.last_used_at,
        status=status_of(credential, now),
    )


@dataclass(frozen=True)
class MintedKey:
    id: uuid.UUID
    #: the whole `ak_live:` token, shown once and never stored
    token: str
    expires_at: datetime


async def mint_api_key(
    credentials: CredentialRepository,
    verifier: Verifier,
    *,
    name: str | None,
    created_by_id: uuid.UUID,
    days: int,
    limit: int | None = None,
) -> MintedKey:
    """A new platform API key of the repository's company; only its argon2 hash is stored.

    `limit` caps the company's live keys, counted under the company's key lock, which is taken
    after the slow hash so that concurrent creations wait for each other only briefly.
    """
    key_id = uuid7()
    token = new_api_key(key_id)
    expires_at = datetime.now(UTC) + timedelta(days=days)
    secret_hash = await anyio.to_thread.run_sync(verifier.hash, token.secret)
    if limit is not None:
        await credentials.lock_api_keys()
        live = await credentials.count_api_keys(live_only=True)
        check_limit(live, 1, limit, "API key", "company")
    credentials.add(
        Credential(
            id=key_id,
            kind=CredentialKind.API_KEY,
            lookup_id=token.lookup_id,
            secret_hash=secret_hash,
            display_prefix=token.display_prefix,
            name=name,
            scopes=[],
            active=True,
            created_by_id=created_by_id,
            expires_at=expires_at,
        )
    )
    return MintedKey(key_id, token.token, expires_at)


class CredentialService:
    def __init__(
        self, session: AsyncSession, principal: Principal, verifier: Verifier, settings: Settings
    ) -> None:
        self.principal = principal
        self.settings = settings
        self.credentials = CredentialRepository(session, principal.company_id)
        self.users = UserRepository(session, principal.company_id)
        self.verifier = verifier
        self.session = session

    async def _hash(self, secret: str) -> str:
        return await anyio.to_thread.run_sync(self.verifier.hash, secret)

    async def create_api_key(self, data: s.ApiKeyCreate) -> s.ApiKeyCreated:
        minted = await mint_api_key(
            self.credentials,
            self.verifier,
            name=data.name,
            created_by_id=self.principal.user_id,
            days=data.expires_in_days,
            limit=self.settings.max_api_keys_per_company,
        )
        await self.session.flush()
        return s.ApiKeyCreated(
            id=minted.id,
            name=data.name,
            api_key=minted.token,
            expires_at=minted.expires_at,
            status="active",
        )

    async def list_api_keys(
        self, page: int | None = None, page_size: int | None = None
    ) -> tuple[list[s.ApiKey], int]:
        """The company's keys, revoked ones too, oldest first (a page when asked), and how
        many there are."""
        now = datetime.now(UTC)
        offset, limit = window(page, page_size)
        rows = await self.credentials.api_keys(offset=offset, limit=limit)
        total = (
            len(rows) if limit is None else await self.credentials.count_api_keys(live_only=False)
        )
        return [api_key_view(c, now) for c in rows], total

    async def set_active(self, key_id: uuid.UUID, *, active: bool) -> s.ApiKey:
        """Switch a key on or off; a revoked key is 409: revocation is final."""
        credential = await self.credentials.api_key(key_id)
        if credential.revoked_at is not None:
            raise Conflict("The API key is revoked; revocation is final")
        credential.active = active
        await self.session.flush()
        return api_key_view(credential, datetime.now(UTC))

    async def revoke_api_key(self, key_id: uuid.UUID) -> None:
        credential = await self.credentials.api_key(key_id)
        if credential.revoked_at is None:
            credential.revoked_at = datetime.now(UTC)
            credential.active = False
            await self.session.flush()

    async def create_token(
        self, user_id: uuid.UUID, data: s.PersonalAccessTokenCreate
    ) -> s.PersonalAccessTokenCreated:
        await self.users.get_or_404(user_id)
        now = datetime.now(UTC)
        if data.expires_at is not None and (
            data.expires_at.tzinfo is None or data.expires_at <= now
        ):
            raise ValidationFailed.field("expiresAt", "Must be a future time with a UTC offset")
        token = new_pat(PatStyle(data.format))
        secret_hash = await self._hash(token.secret)
        await self.credentials.lock_tokens_of(user_id)
        live = await self.credentials.count_tokens_of(user_id, live_only=True)
        limit = self.settings.max_personal_access_tokens_per_user
        check_limit(live, 1, limit, "Personal access token", "user")
        credential = self.credentials.add(
            Credential(
                id=uuid7(),
                kind=CredentialKind.PAT,
                lookup_id=token.lookup_id,
                secret_hash=secret_hash,
                display_prefix=token.display_prefix,
                name=data.name,
                scopes=sorted(set(data.scopes)),
                user_id=user_id,
                active=True,
                created_by_id=self.principal.user_id,
                expires_at=data.expires_at,
            )
        )
        await self.session.flush()
        return s.PersonalAccessTokenCreated(
            id=credential.id,
            name=data.name,
            token=token.token,
            scopes=list(credential.scopes),
            expires_at=credential.expires_at,
        )

    async def list_tokens(
        self, user_id: uuid.UUID, page: int | None = None, page_size: int | None = None
    ) -> tuple[list[s.PersonalAccessToken], int]:
        """The user's tokens, revoked ones too, oldest first (a page when asked), and how many
        there are."""
        await self.users.get_or_404(user_id)
        now = datetime.now(UTC)
        offset, limit = window(page, page_size)
        rows = await self.credentials.tokens_of(user_id, offset=offset, limit=limit)
        if limit is None:
            total = len(rows)
        else:
            total = await self.credentials.count_tokens_of(user_id, live_only=False)
        return [token_view(c, now) for c in rows], total

    async def revoke_token(self, user_id: uuid.UUID, token_id: uuid.UUID) -> None:
        await self.users.get_or_404(user_id)
        credential = await self.credentials.token_of(user_id, token_id)
        if credential is None:
            raise NotFound("Personal access token not found")
        if credential.revoked_at is None:
            credential.revoked_at = datetime.now(UTC)
            credential.active = False
            await self.session.flush()


async def provide_credential_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    state: State,
) -> CredentialService:
    return CredentialService(db, principal, VERIFIER.of(state), settings)
