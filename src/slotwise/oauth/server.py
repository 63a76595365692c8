"""The OAuth 2.0 protocol: the authorization request (RFC 6749 section 4.1 with PKCE, RFC 7636),
the token endpoint (authorization code and refresh token grants, client secret
authentication), revocation (RFC 7009) and server metadata (RFC 8414).

A grant is a `credential` row of kind `oauth` (see `models.oauth`), so its access token
authenticates on /v4 and /api/v1 exactly as a personal access token does. Refresh tokens rotate
on every use; a used one presented again revokes the grant with every token of it (RFC 9700
section 4.14.2), as does a second use of an authorization code.
"""

import base64
import binascii
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import anyio.to_thread
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.scopes import SCOPES
from slotwise.auth.tokens import TokenKind, new_oauth_access_token, parse
from slotwise.auth.verifier import VERIFIER, Verifier
from slotwise.db.tenancy import CompanyId
from slotwise.db.unscoped import find_oauth_client, find_oauth_sign_in
from slotwise.models import (
    Credential,
    CredentialKind,
    OAuthClient,
    OAuthCode,
    OAuthRefreshToken,
    OAuthSignIn,
    User,
    uuid7,
)
from slotwise.oauth.pkce import digest, is_challenge, new_token, verifier_matches
from slotwise.oauth.repository import (
    GrantRepository,
    OAuthCodeRepository,
    RefreshTokenRepository,
)
from slotwise.users.repository import UserRepository

CODE_LIFETIME = timedelta(minutes=10)
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
REFRESH_TOKEN_LIFETIME = timedelta(days=90)
SESSION_LIFETIME = timedelta(minutes=30)
CODE_PREFIX = "oac_"
REFRESH_PREFIX = "ort_"
SESSION_PREFIX = "oss_"
MAX_PARAM = 2000
MALFORMED = "The request is malformed."


class OAuthError(Exception):
    """An error answered in RFC 6749's shape: `{"error", "error_description"}`."""

    def __init__(
        self, error: str, description: str, status: int = 400, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class PageError(Exception):
    """An authorization request that cannot be sent back to the app (unknown client, a
    redirect URI it did not register): the user sees the reason instead (RFC 6749 4.1.2.1)."""


@dataclass(frozen=True)
class RedirectError(Exception):
    """An authorization request the app gets back as an error on its redirect URI."""

    redirect_uri: str
    error: str
    description: str
    state: str | None

    def location(self) -> str:
        return with_query(
            self.redirect_uri,
            error=self.error,
            error_description=self.description,
            state=self.state,
        )


def with_query(uri: str, **params: str | None) -> str:
    """`uri` with `params` (None ones left out) added to the query it already has."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True)
class AuthorizeRequest:
    client: OAuthClient
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    code_challenge: str

    def form(self) -> dict[str, str]:
        """The request again, as the consent form's hidden fields."""
        found = {
            "response_type": "code",
            "client_id": str(self.client.id),
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        if self.state is not None:
            found["state"] = self.state
        return found


def _one(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if len(value) > MAX_PARAM or "\x00" in value:
        raise PageError(MALFORMED)
    return value


async def _client(session: AsyncSession, raw: str | None) -> OAuthClient | None:
    if raw is None:
        return None
    try:
        client_id = uuid.UUID(raw)
    except ValueError:
        return None
    return await find_oauth_client(session, client_id)


async def parse_authorize(session: AsyncSession, params: Mapping[str, str]) -> AuthorizeRequest:
    """Check an authorization request; errors the app may hear go to its redirect URI."""
    client = await _client(session, _one(params, "client_id"))
    if client is None:
        raise PageError("This app is unknown: its client_id is missing or wrong.")
    asked_uri = _one(params, "redirect_uri")
    if asked_uri is None and len(client.redirect_uris) == 1:
        redirect_uri = client.redirect_uris[0]
    elif asked_uri is not None and asked_uri in client.redirect_uris:
        redirect_uri = asked_uri
    else:
        raise PageError("The app asked to return to an address it did not register.")
    state = _one(params, "state")

    def fail(error: str, description: str) -> RedirectError:
        return RedirectError(redirect_uri, error, description, state)

    if _one(params, "response_type") != "code":
        raise fail("unsupported_response_type", "Only response_type=code is supported")
    challenge = _one(params, "code_challenge")
    if challenge is None or not is_challenge(challenge):
        raise fail("invalid_request", "code_challenge is required (PKCE, S256)")
    if _one(params, "code_challenge_method") != "S256":
        raise fail("invalid_request", "code_challenge_method must be S256")
    raw_scope = _one(params, "scope")
    scopes = tuple(dict.fromkeys(raw_scope.split())) if raw_scope else tuple(client.scopes)
    if not scopes or any(s not in SCOPES or s not in client.scopes for s in scopes):
        raise fail("invalid_scope", "A scope is unknown or not registered for this app")
    return AuthorizeRequest(client, redirect_uri, scopes, state, challenge)


@dataclass(frozen=True)
class SignedIn:
    sign_in: OAuthSignIn
    user: User


async def redeem_sign_in(session: AsyncSession, token: str, now: datetime) -> str | None:
    """Exchange a partner-issued sign-in token for a browser session; the session's cookie
    value, or None when the token is unknown, used or expired."""
    found = await find_oauth_sign_in(session, digest=digest(token))
    if found is None or found.used_at is not None or found.expires_at <= now:
        return None
    cookie = new_token(SESSION_PREFIX)
    found.used_at = now
    found.session_digest = digest(cookie)
    found.session_expires_at = now + SESSION_LIFETIME
    await session.flush()
    return cookie


async def signed_in(session: AsyncSession, cookie: str | None, now: datetime) -> SignedIn | None:
    """The user of a live consent-page session (None: no cookie, or it ended)."""
    if not cookie:
        return None
    found = await find_oauth_sign_in(session, session_digest=digest(cookie))
    if found is None or found.session_expires_at is None or found.session_expires_at <= now:
        return None
    user = await UserRepository(session, CompanyId(found.company_id)).get(found.user_id)
    return None if user is None else SignedIn(found, user)


async def decide(
    session: AsyncSession, request: AuthorizeRequest, who: SignedIn, *, approve: bool
) -> str:
    """Record the user's answer and return where their browser goes next: the redirect URI
    with a code, or with `access_denied`. The sign-in ends with the answer."""
    now = datetime.now(UTC)
    who.sign_in.session_expires_at = now
    if not approve:
        await session.flush()
        return RedirectError(
            request.redirect_uri, "access_denied", "The user denied access", request.state
        ).location()
    code = new_token(CODE_PREFIX)
    OAuthCodeRepository(session, CompanyId(request.client.company_id)).add(
        OAuthCode(
            id=uuid7(),
            client_id=request.client.id,
            user_id=who.user.id,
            digest=digest(code),
            redirect_uri=request.redirect_uri,
            scopes=list(request.scopes),
            code_challenge=request.code_challenge,
            expires_at=now + CODE_LIFETIME,
        )
    )
    await session.flush()
    return with_query(request.redirect_uri, code=code, state=request.state)


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


INVALID_CLIENT = "Client authentication failed"


def _secret_ok(secret: str, client: OAuthClient) -> bool:
    return bool(secret) and hmac.compare_digest(digest(secret), client.secret_digest)


@dataclass
class TokenEndpoint:
    """The token and revocation endpoints of one request."""

    session: AsyncSession
    verifier: Verifier
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    async def authenticate(self, authorization: str | None, form: Mapping[str, str]) -> OAuthClient:
        """The client, by `client_secret_basic` or `client_secret_post`; 401 otherwise."""
        basic = _basic(authorization)
        if basic is not None:
            client_id, secret = basic
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        client = await _client(self.session, client_id or None)
        if (
            client is None
            or not secret
            or not hmac.compare_digest(digest(secret), client.secret_digest)
        ):
            headers = {"WWW-Authenticate": 'Basic realm="oauth"'} if basic else {}
            raise OAuthError("invalid_client", INVALID_CLIENT, 401, headers)
        client.last_used_at = self.now
        return client

    async def token(self, client: OAuthClient, form: Mapping[str, str]) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return await self._exchange_code(client, form)
        if grant_type == "refresh_token":
            return await self._refresh(client, form)
        raise OAuthError("unsupported_grant_type", "Use authorization_code or refresh_token")

    async def _exchange_code(self, client: OAuthClient, form: Mapping[str, str]) -> dict[str, Any]:
        company = CompanyId(client.company_id)
        raw = form.get("code")
        if not raw:
            raise OAuthError("invalid_request", "code is required")
        code = await OAuthCodeRepository(self.session, company).by_digest(digest(raw))
        if code is None or code.client_id != client.id:
            raise OAuthError("invalid_grant", "The code is unknown")
        if code.used_at is not None:
            await self._revoke(company, code.credential_id)
            return _refused("invalid_grant", "The code was used before; its grant is revoked")
        if code.expires_at <= self.now:
            raise OAuthError("invalid_grant", "The code has expired")
        if form.get("redirect_uri", code.redirect_uri) != code.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization's")
        if not verifier_matches(form.get("code_verifier"), code.code_challenge):
            raise OAuthError("invalid_grant", "code_verifier is missing or does not match")
        if await UserRepository(self.session, company).get(code.user_id) is None:
            raise OAuthError("invalid_grant", "The user is gone")
        code.used_at = self.now
        grants = GrantRepository(self.session, company)
        access = new_oauth_access_token()
        secret_hash = await anyio.to_thread.run_sync(self.verifier.hash, access.secret)
        grant = grants.add(
            Credential(
                id=uuid7(),
                kind=CredentialKind.OAUTH,
                lookup_id=access.lookup_id,
                secret_hash=secret_hash,
                display_prefix=access.display_prefix,
                name=client.name,
                scopes=list(code.scopes),
                user_id=code.user_id,
                created_by_id=code.user_id,
                oauth_client_id=client.id,
                active=True,
                expires_at=self.now + ACCESS_TOKEN_LIFETIME,
            )
        )
        code.credential_id = grant.id
        refresh = self._new_refresh(company, grant.id)
        await self.session.flush()
        return _issued(access.token, refresh, grant.scopes)

    async def _refresh(self, client: OAuthClient, form: Mapping[str, str]) -> dict[str, Any]:
        company = CompanyId(client.company_id)
        raw = form.get("refresh_token")
        if not raw:
            raise OAuthError("invalid_request", "refresh_token is required")
        token = await RefreshTokenRepository(self.session, company).by_digest(digest(raw))
        grants = GrantRepository(self.session, company)
        grant = None if token is None else await grants.grant(token.credential_id, for_update=True)
        if token is None or grant is None or grant.oauth_client_id != client.id:
            raise OAuthError("invalid_grant", "The refresh token is unknown")
        if token.used_at is not None:
            await self._revoke(company, grant.id)
            return _refused("invalid_grant", "The refresh token was used before; grant revoked")
        if token.created_at + REFRESH_TOKEN_LIFETIME <= self.now:
            raise OAuthError("invalid_grant", "The refresh token has expired")
        asked = form.get("scope")
        if asked and not set(asked.split()) <= set(grant.scopes):
            raise OAuthError("invalid_scope", "A refresh cannot widen the granted scopes")
        token.used_at = self.now
        access = new_oauth_access_token()
        secret_hash = await anyio.to_thread.run_sync(self.verifier.hash, access.secret)
        await grants.new_access_token(
            grant, access.lookup_id, secret_hash, self.now + ACCESS_TOKEN_LIFETIME
        )
        refresh = self._new_refresh(company, grant.id)
        await self.session.flush()
        return _issued(access.token, refresh, grant.scopes)

    def _new_refresh(self, company: CompanyId, grant_id: uuid.UUID) -> str:
        refresh = new_token(REFRESH_PREFIX)
        RefreshTokenRepository(self.session, company).add(
            OAuthRefreshToken(id=uuid7(), credential_id=grant_id, digest=digest(refresh))
        )
        return refresh

    async def _revoke(self, company: CompanyId, grant_id: uuid.UUID | None) -> None:
        """End the grant (its refresh tokens go with it)."""
        grants = GrantRepository(self.session, company)
        grant = None if grant_id is None else await grants.grant(grant_id, for_update=True)
        if grant is not None:
            await grants.forget_lookup(grant)
            await grants.remove(grant)

    async def revoke(self, client: OAuthClient, form: Mapping[str, str]) -> None:
        """RFC 7009: end the grant of the access or refresh token, when it is this client's;
        anything else (unknown, another client's) is answered alike, and changes nothing."""
        raw = form.get("token")
        if not raw:
            raise OAuthError("invalid_request", "token is required")
        company = CompanyId(client.company_id)
        grant_id: uuid.UUID | None = None
        parsed = parse(raw)
        if parsed is not None and parsed.kind is TokenKind.OAUTH:
            grant = await GrantRepository(self.session, company).by_lookup(parsed.lookup_id)
            if grant is not None and await anyio.to_thread.run_sync(
                self.verifier.hasher.verify, grant.secret_hash, parsed.secret
            ):
                grant_id = grant.id if grant.oauth_client_id == client.id else None
        else:
            token = await RefreshTokenRepository(self.session, company).by_digest(digest(raw))
            grant = (
                None
                if token is None
                else await GrantRepository(self.session, company).grant(token.credential_id)
            )
            if grant is not None and grant.oauth_client_id == client.id:
                grant_id = grant.id
        await self._revoke(company, grant_id)
        await self.session.flush()


def _issued(access_token: str, refresh_token: str, scopes: list[str]) -> dict[str, Any]:
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        "refresh_token": refresh_token,
        "scope": " ".join(scopes),
    }


def _refused(error: str, description: str) -> dict[str, Any]:
    """An error answered without rolling back: the revocation it caused must stay."""
    return {"error": error, "error_description": description}


def metadata(issuer: str) -> dict[str, Any]:
    """RFC 8414 authorization server metadata."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
        ],
    }


class OAuthFlow:
    """The protocol endpoints' work on the request's session."""

    def __init__(self, session: AsyncSession, verifier: Verifier) -> None:
        self.session = session
        self.verifier = verifier

    async def authorize_request(self, params: Mapping[str, str]) -> AuthorizeRequest:
        return await parse_authorize(self.session, params)

    async def redeem(self, token: str) -> str | None:
        return await redeem_sign_in(self.session, token, datetime.now(UTC))

    async def signed_in(self, cookie: str | None) -> SignedIn | None:
        return await signed_in(self.session, cookie, datetime.now(UTC))

    async def decide(self, request: AuthorizeRequest, who: SignedIn, *, approve: bool) -> str:
        return await decide(self.session, request, who, approve=approve)

    def tokens(self) -> TokenEndpoint:
        return TokenEndpoint(self.session, self.verifier)


async def provide_oauth_flow(db: NamedDependency[AsyncSession], state: State) -> OAuthFlow:
    return OAuthFlow(db, VERIFIER.of(state))
