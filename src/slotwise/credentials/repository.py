"""Credential queries, scoped to one company."""

import uuid

from slotwise.db.locks import lock
from slotwise.db.tenancy import TenantRepository
from slotwise.models import Credential, CredentialKind, CredentialLookup

_OLDEST_FIRST = (Credential.created_at, Credential.id)


class CredentialRepository(TenantRepository[Credential]):
    model = Credential
    not_found_message = "API key not found"

    def add(self, obj: Credential) -> Credential:
        """The credential, and its lookup id claimed platform-wide in `credential_lookup`
        (where authentication finds it); the caller gives the credential its id."""
        super().add(obj)
        lookup = CredentialLookup(
            lookup_id=obj.lookup_id, company_id=self.company_id, credential_id=obj.id
        )
        self.session.add(lookup)
        return obj

    async def api_keys(self, *, offset: int = 0, limit: int | None = None) -> list[Credential]:
        return await self.list(
            Credential.kind == CredentialKind.API_KEY,
            order_by=_OLDEST_FIRST,
            offset=offset,
            limit=limit,
        )

    async def count_api_keys(self, *, live_only: bool) -> int:
        """The company's keys; `live_only`: not revoked (the ones the cap counts)."""
        where = [Credential.kind == CredentialKind.API_KEY]
        if live_only:
            where.append(Credential.revoked_at.is_(None))
        return await self.count(*where)

    async def lock_api_keys(self) -> None:
        """Serialise key creation per company (the cap is counted under it)."""
        await lock(self.session, f"api_keys_of:{self.company_id}")

    async def api_key(self, key_id: uuid.UUID) -> Credential:
        return await self.get_or_404(key_id, Credential.kind == CredentialKind.API_KEY)

    async def tokens_of(
        self, user_id: uuid.UUID, *, offset: int = 0, limit: int | None = None
    ) -> list[Credential]:
        return await self.list(
            Credential.kind == CredentialKind.PAT,
            Credential.user_id == user_id,
            order_by=_OLDEST_FIRST,
            offset=offset,
            limit=limit,
        )

    async def count_tokens_of(self, user_id: uuid.UUID, *, live_only: bool) -> int:
        """The user's tokens; `live_only`: not revoked (the ones the cap counts)."""
        where = [Credential.kind == CredentialKind.PAT, Credential.user_id == user_id]
        if live_only:
            where.append(Credential.revoked_at.is_(None))
        return await self.count(*where)

    async def lock_tokens_of(self, user_id: uuid.UUID) -> None:
        """Serialise token creation per user (the cap is counted under it)."""
        await lock(self.session, f"tokens_of:{user_id}")

    async def token_of(self, user_id: uuid.UUID, token_id: uuid.UUID) -> Credential | None:
        return await self.get(
            token_id, Credential.kind == CredentialKind.PAT, Credential.user_id == user_id
        )
