"""Credential queries, scoped to one company."""

import uuid

from slotwise.db.tenancy import TenantRepository
from slotwise.models import Credential, CredentialKind


class CredentialRepository(TenantRepository[Credential]):
    model = Credential
    not_found_message = "API key not found"

    async def api_keys(self) -> list[Credential]:
        return await self.list(
            Credential.kind == CredentialKind.API_KEY, order_by=[Credential.created_at]
        )

    async def api_key(self, key_id: uuid.UUID) -> Credential:
        return await self.get_or_404(key_id, Credential.kind == CredentialKind.API_KEY)

    async def tokens_of(self, user_id: uuid.UUID) -> list[Credential]:
        return await self.list(
            Credential.kind == CredentialKind.PAT,
            Credential.user_id == user_id,
            order_by=[Credential.created_at],
        )

    async def token_of(self, user_id: uuid.UUID, token_id: uuid.UUID) -> Credential | None:
        return await self.get(
            token_id, Credential.kind == CredentialKind.PAT, Credential.user_id == user_id
        )
