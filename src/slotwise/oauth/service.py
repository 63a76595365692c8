"""OAuth management on /v4: a company's admins register apps; users (and admins) see and end
the grants; the company's backend issues sign-ins for the consent page."""

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.kit.errors import FieldError, NotFound, ValidationFailed
from slotwise.models import Credential, OAuthClient, OAuthSignIn, uuid7
from slotwise.oauth import schemas as s
from slotwise.oauth.pkce import digest, new_token, redirect_uri_problem
from slotwise.oauth.repository import GrantRepository, OAuthClientRepository, SignInRepository
from slotwise.settings import Settings
from slotwise.users.repository import UserRepository

CLIENT_SECRET_PREFIX = "ocs_"  # noqa: S105 - a prefix, not a secret
SIGN_IN_PREFIX = "osi_"
SIGN_IN_LIFETIME = timedelta(minutes=10)
SIGN_IN_PATH = "/oauth/sign-in"


def client_view(client: OAuthClient) -> s.OAuthClient:
    return s.OAuthClient(
        id=client.id,
        client_id=str(client.id),
        name=client.name,
        redirect_uris=list(client.redirect_uris),
        scopes=list(client.scopes),
        created_at=client.created_at,
        updated_at=client.updated_at,
    )


def grant_view(grant: Credential, client: OAuthClient | None) -> s.OAuthGrant:
    return s.OAuthGrant(
        id=grant.id,
        client_id=str(grant.oauth_client_id),
        client_name=client.name if client else (grant.name or ""),
        user_id=grant.user_id or uuid.UUID(int=0),
        scopes=list(grant.scopes),
        created_at=grant.created_at,
        last_used_at=grant.last_used_at,
    )


def _check_redirect_uris(uris: list[str]) -> list[str]:
    errors = [
        FieldError(f"redirectUris[{i}]", problem)
        for i, uri in enumerate(uris)
        if (problem := redirect_uri_problem(uri)) is not None
    ]
    if errors:
        raise ValidationFailed(errors=errors)
    return list(dict.fromkeys(uris))


class OAuthService:
    def __init__(self, session: AsyncSession, principal: Principal, settings: Settings) -> None:
        self.session = session
        self.principal = principal
        self.settings = settings
        self.clients = OAuthClientRepository(session, principal.company_id)
        self.grants = GrantRepository(session, principal.company_id)
        self.users = UserRepository(session, principal.company_id)

    async def create_client(self, data: s.OAuthClientCreate) -> s.OAuthClientCreated:
        secret = new_token(CLIENT_SECRET_PREFIX)
        client = self.clients.add(
            OAuthClient(
                id=uuid7(),
                name=data.name,
                secret_digest=digest(secret),
                redirect_uris=_check_redirect_uris(data.redirect_uris),
                scopes=sorted(set(data.scopes)),
                created_by_id=self.principal.user_id,
            )
        )
        await self.session.flush()
        await self.session.refresh(client)
        view = client_view(client)
        return s.OAuthClientCreated(**msgspec.structs.asdict(view), client_secret=secret)

    async def list_clients(self) -> list[s.OAuthClient]:
        return [client_view(c) for c in await self.clients.all()]

    async def get_client(self, client_id: uuid.UUID) -> s.OAuthClient:
        return client_view(await self.clients.get_or_404(client_id))

    async def update_client(self, client_id: uuid.UUID, data: s.OAuthClientUpdate) -> s.OAuthClient:
        """Change the name, redirect URIs or scopes; a narrowed scope list does not widen or cut
        existing grants (delete the client, or the grants, to end them)."""
        client = await self.clients.get_or_404(client_id, for_update=True)
        if not isinstance(data.name, msgspec.UnsetType):
            client.name = data.name
        if not isinstance(data.redirect_uris, msgspec.UnsetType):
            client.redirect_uris = _check_redirect_uris(data.redirect_uris)
        if not isinstance(data.scopes, msgspec.UnsetType):
            client.scopes = sorted(set(data.scopes))
        client.updated_at = datetime.now(UTC)
        await self.session.flush()
        return client_view(client)

    async def delete_client(self, client_id: uuid.UUID) -> None:
        """Delete the app; its grants, and so every token it holds, go with it at once."""
        client = await self.clients.get_or_404(client_id)
        for grant in await self.grants.list(Credential.oauth_client_id == client.id):
            await self.grants.forget_lookup(grant)
        await self.clients.remove(client)

    async def list_grants(self) -> list[s.OAuthGrant]:
        """The acting user's grants."""
        clients = {c.id: c for c in await self.clients.all()}
        rows = await self.grants.of_user(self.principal.user_id)
        return [grant_view(g, clients.get(g.oauth_client_id or uuid.UUID(int=0))) for g in rows]

    async def revoke_grant(self, grant_id: uuid.UUID) -> None:
        """End a grant: its access and refresh tokens stop at once. A user ends their own;
        admins and platform keys any of the company's."""
        grant = await self.grants.grant(grant_id)
        if grant is None or (
            grant.user_id != self.principal.user_id and not self.principal.is_admin
        ):
            raise NotFound("OAuth grant not found")
        await self.grants.forget_lookup(grant)
        await self.grants.remove(grant)

    async def create_sign_in(self, data: s.OAuthSignInCreate) -> s.OAuthSignInCreated:
        """A single-use sign-in of the consent page for one of the company's users."""
        user = await self.users.get(data.user_id)
        if user is None:
            raise ValidationFailed.field("userId", "No such user in this company")
        token = new_token(SIGN_IN_PREFIX)
        expires_at = datetime.now(UTC) + SIGN_IN_LIFETIME
        SignInRepository(self.session, self.principal.company_id).add(
            OAuthSignIn(id=uuid7(), user_id=user.id, digest=digest(token), expires_at=expires_at)
        )
        await self.session.flush()
        base = self.settings.public_url.rstrip("/")
        return s.OAuthSignInCreated(
            token=token, url=f"{base}{SIGN_IN_PATH}?token={token}", expires_at=expires_at
        )


async def provide_oauth_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> OAuthService:
    return OAuthService(db, principal, settings)
