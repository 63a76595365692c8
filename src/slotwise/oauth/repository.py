"""OAuth queries, scoped to one company like every tenant query."""

import uuid
from datetime import datetime

from sqlalchemy import delete

from slotwise.db.tenancy import TenantRepository
from slotwise.models import (
    Credential,
    CredentialKind,
    CredentialLookup,
    OAuthClient,
    OAuthCode,
    OAuthRefreshToken,
    OAuthSignIn,
)

_OLDEST_FIRST = (Credential.created_at, Credential.id)


class OAuthClientRepository(TenantRepository[OAuthClient]):
    model = OAuthClient
    not_found_message = "OAuth client not found"

    async def all(self) -> list[OAuthClient]:
        return await self.list(order_by=(OAuthClient.created_at, OAuthClient.id))


class OAuthCodeRepository(TenantRepository[OAuthCode]):
    model = OAuthCode

    async def by_digest(self, digest: bytes) -> OAuthCode | None:
        """The code, locked: two exchanges of one code take turns, and the second sees it used."""
        stmt = self.select(OAuthCode.digest == digest).with_for_update()
        return (await self.session.scalars(stmt)).one_or_none()


class RefreshTokenRepository(TenantRepository[OAuthRefreshToken]):
    model = OAuthRefreshToken

    async def by_digest(self, digest: bytes) -> OAuthRefreshToken | None:
        """The token, locked: of two refreshes with one token, one rotates and one is reuse."""
        stmt = self.select(OAuthRefreshToken.digest == digest).with_for_update()
        return (await self.session.scalars(stmt)).one_or_none()


class SignInRepository(TenantRepository[OAuthSignIn]):
    model = OAuthSignIn


class GrantRepository(TenantRepository[Credential]):
    """OAuth grants: the credentials of kind `oauth`."""

    model = Credential
    not_found_message = "OAuth grant not found"

    def add(self, obj: Credential) -> Credential:
        """The grant, and its access token's lookup id claimed platform-wide."""
        super().add(obj)
        self.session.add(
            CredentialLookup(
                lookup_id=obj.lookup_id, company_id=self.company_id, credential_id=obj.id
            )
        )
        return obj

    async def grant(self, grant_id: uuid.UUID, *, for_update: bool = False) -> Credential | None:
        return await self.get(
            grant_id, Credential.kind == CredentialKind.OAUTH, for_update=for_update
        )

    async def of_user(self, user_id: uuid.UUID) -> list[Credential]:
        return await self.list(
            Credential.kind == CredentialKind.OAUTH,
            Credential.user_id == user_id,
            order_by=_OLDEST_FIRST,
        )

    async def by_lookup(self, lookup_id: str) -> Credential | None:
        return await self.first(
            Credential.kind == CredentialKind.OAUTH, Credential.lookup_id == lookup_id
        )

    async def new_access_token(
        self, grant: Credential, lookup_id: str, secret_hash: str, expires_at: datetime
    ) -> None:
        """Give the grant a new access token; the old one stops at once (its lookup id goes)."""
        old = grant.lookup_id
        await self.session.execute(
            delete(CredentialLookup).where(
                CredentialLookup.company_id == self.company_id, CredentialLookup.lookup_id == old
            )
        )
        grant.lookup_id, grant.secret_hash, grant.expires_at = lookup_id, secret_hash, expires_at
        self.session.add(
            CredentialLookup(
                lookup_id=lookup_id, company_id=self.company_id, credential_id=grant.id
            )
        )
        await self.session.flush()

    async def forget_lookup(self, grant: Credential) -> None:
        """Free a removed grant's lookup id (its row outlives the credential otherwise)."""
        await self.session.execute(
            delete(CredentialLookup).where(
                CredentialLookup.company_id == self.company_id,
                CredentialLookup.lookup_id == grant.lookup_id,
            )
        )
