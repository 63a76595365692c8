"""Credential management routes (an extension: meetergo manages these only in its dashboard)."""

from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from slotwise.auth.access import access
from slotwise.credentials import schemas as s
from slotwise.credentials.service import CredentialService, provide_credential_service
from slotwise.kit.pagination import TOTAL_COUNT_HEADER, OptionalPage, PageSize, counted
from slotwise.web.idempotency import Idempotency, provide_idempotency


class ApiKeyController(Controller):
    path = "/v4/api-key"
    tags = ["api-keys"]
    opt = access(company=True, pat=False)
    dependencies = {
        "credentials": Provide(provide_credential_service),
        "idempotency": Provide(provide_idempotency),
    }

    @post("/", status_code=201)
    async def create_api_key(
        self,
        data: JSONBody[s.ApiKeyCreate],
        credentials: NamedDependency[CredentialService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.ApiKeyCreated]:
        """Create a platform API key; the secret is in this response only (and in its replay
        for the same Idempotency-Key and body)."""
        return await idempotency.run(
            lambda: credentials.create_api_key(data), status_code=201, secret=True
        )

    @get("/", response_headers=[TOTAL_COUNT_HEADER])
    async def list_api_keys(
        self,
        credentials: NamedDependency[CredentialService],
        page: OptionalPage = None,
        page_size: PageSize = None,
    ) -> Response[list[s.ApiKey]]:
        """List the company's platform API keys, revoked ones too, oldest first (never their
        secrets): all, or one page when `page` or `pageSize` is sent; X-Total-Count has the
        total."""
        return counted(*await credentials.list_api_keys(page, page_size))

    @post("/{key_id:uuid}/deactivate", status_code=200)
    async def deactivate_api_key(
        self, key_id: FromPath[UUID], credentials: NamedDependency[CredentialService]
    ) -> s.ApiKey:
        """Deactivate a key; it can be activated again (a revoked key is 409)."""
        return await credentials.set_active(key_id, active=False)

    @post("/{key_id:uuid}/activate", status_code=200)
    async def activate_api_key(
        self, key_id: FromPath[UUID], credentials: NamedDependency[CredentialService]
    ) -> s.ApiKey:
        """Activate a deactivated key; a revoked key is 409 (revocation is final)."""
        return await credentials.set_active(key_id, active=True)

    @delete("/{key_id:uuid}")
    async def revoke_api_key(
        self, key_id: FromPath[UUID], credentials: NamedDependency[CredentialService]
    ) -> None:
        """Revoke a key permanently."""
        await credentials.revoke_api_key(key_id)


class PersonalAccessTokenController(Controller):
    path = "/v4/user/{user_id:uuid}/personal-access-token"
    tags = ["personal-access-tokens"]
    opt = access(company=True, pat=False)
    dependencies = {
        "credentials": Provide(provide_credential_service),
        "idempotency": Provide(provide_idempotency),
    }

    @post("/", status_code=201)
    async def create_personal_access_token(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[s.PersonalAccessTokenCreate],
        credentials: NamedDependency[CredentialService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.PersonalAccessTokenCreated]:
        """Mint a personal access token for a user; the token is in this response only (and in
        its replay for the same Idempotency-Key and body)."""
        return await idempotency.run(
            lambda: credentials.create_token(user_id, data), status_code=201, secret=True
        )

    @get("/", response_headers=[TOTAL_COUNT_HEADER])
    async def list_personal_access_tokens(
        self,
        user_id: FromPath[UUID],
        credentials: NamedDependency[CredentialService],
        page: OptionalPage = None,
        page_size: PageSize = None,
    ) -> Response[list[s.PersonalAccessToken]]:
        """List a user's personal access tokens, revoked ones too, oldest first (never the
        tokens themselves): all, or one page when `page` or `pageSize` is sent; X-Total-Count
        has the total."""
        return counted(*await credentials.list_tokens(user_id, page, page_size))

    @delete("/{token_id:uuid}")
    async def revoke_personal_access_token(
        self,
        user_id: FromPath[UUID],
        token_id: FromPath[UUID],
        credentials: NamedDependency[CredentialService],
    ) -> None:
        """Revoke a personal access token."""
        await credentials.revoke_token(user_id, token_id)
