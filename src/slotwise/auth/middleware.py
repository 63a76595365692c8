"""Authentication middleware: bearer token → Principal, plus meetergo's acting-user rules.

Each route's rules come from `auth.access` (`opt=access(...)` on the handler).
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.access import access_of
from slotwise.auth.credential_cache import CREDENTIAL_CACHE
from slotwise.auth.principal import Principal
from slotwise.auth.repository import CredentialUseRepository
from slotwise.auth.scopes import grants
from slotwise.auth.tokens import parse
from slotwise.auth.verifier import VERIFIER, Verifier
from slotwise.db.session import close_request_session, request_session
from slotwise.db.tenancy import CompanyId
from slotwise.db.unscoped import FoundCredential, find_credential
from slotwise.kit import metrics
from slotwise.kit.clientaddr import client_address, limit_subject
from slotwise.kit.errors import (
    AppError,
    BadRequest,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from slotwise.kit.logs import bind_company
from slotwise.models import CredentialKind
from slotwise.ratelimit.failures import Throttled
from slotwise.ratelimit.middleware import charge_address, charge_early, is_limited, settle_early
from slotwise.settings import SETTINGS

ACTING_USER_HEADER = "x-meetergo-api-user-id"
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: credentials that act only as their own user, with their scopes: PATs and OAuth grants
ACTS_AS_ITS_USER = frozenset({CredentialKind.PAT, CredentialKind.OAUTH})
MISSING_HEADER = f"Missing required header '{ACTING_USER_HEADER}' for API key authentication"


def _acting_user_id(connection: ASGIConnection[Any, Any, Any, Any]) -> uuid.UUID | None:
    raw = connection.headers.get(ACTING_USER_HEADER)
    if raw is None or raw == "":
        return None
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound("User not found") from exc


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization")
    if not header:
        raise Unauthorized("Missing authorization header")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Invalid API key")
    return token.strip()


class AuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        """Failures count against the caller's address like unauthenticated requests and carry
        the limit headers; past the limit they become 429."""
        try:
            return await self._authenticate(connection)
        except TooManyRequests:  # too many failed verifications
            metrics.RATE_LIMIT_REJECTIONS.labels("auth_failures").inc()
            raise
        except AppError as exc:
            if is_limited(connection.scope):
                exc.headers.update(await charge_address(connection.scope))
            raise

    async def _authenticate(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        parsed = parse(_bearer(connection))
        if parsed is None:
            raise Unauthorized("Invalid API key")
        header_user = _acting_user_id(connection)
        verifier = VERIFIER.of(connection.app.state)
        holder = verifier.holder(parsed.lookup_id, parsed.secret)
        if holder is not None:
            charge_early(connection.scope, *holder)
        session = request_session(connection.scope)
        cache = CREDENTIAL_CACHE.of(connection.app.state)
        epoch = cache.epoch
        kept = cache.get(parsed.lookup_id, header_user)
        credential = kept or await find_credential(session, parsed.lookup_id, header_user)
        if credential is None or credential.kind.value != parsed.kind.value:
            raise Unauthorized("Invalid API key")
        await self._verify(connection, verifier, credential, parsed.secret)
        verifier.remember(parsed.lookup_id, parsed.secret, credential.id, credential.company_id)
        bind_company(credential.company_id)  # the rest of the request's log lines name it
        now = datetime.now(UTC)
        if credential.expires_at is not None and credential.expires_at <= now:
            raise Unauthorized("API key has expired")
        principal = self._principal(connection, credential, header_user)
        if await self._touch(session, credential, now):
            credential = credential._replace(last_used_at=now)
            cache.used(parsed.lookup_id, header_user, credential)
        if kept is None:
            cache.put(parsed.lookup_id, header_user, credential, epoch)
        return AuthenticationResult(user=principal, auth=credential.id)

    @staticmethod
    async def _verify(
        connection: ASGIConnection[Any, Any, Any, Any],
        verifier: Verifier,
        credential: FoundCredential,
        secret: str,
    ) -> None:
        """Refuse a revoked or inactive credential and a wrong secret (throttled)."""
        if credential.revoked_at is not None or not credential.active:
            raise Unauthorized("Invalid API key")
        settings = SETTINGS.of(connection.app.state)
        address = limit_subject(client_address(connection.scope, settings.trusted_proxies))
        try:
            ok = await verifier.verify(credential.id, credential.secret_hash, secret, address)
        except Throttled as exc:
            raise TooManyRequests(headers=exc.headers) from exc
        if not ok:
            raise Unauthorized("Invalid API key")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await settle_early(scope)  # an early count left over when authentication failed
            await close_request_session(scope)

    @staticmethod
    def _principal(
        connection: ASGIConnection[Any, Any, Any, Any],
        credential: FoundCredential,
        header_user: uuid.UUID | None,
    ) -> Principal:
        rules = access_of(connection.route_handler.opt)
        if credential.kind in ACTS_AS_ITS_USER:  # an OAuth grant is held like a PAT
            if header_user is not None and header_user != credential.user_id:
                raise Forbidden("A personal access token cannot act for another user")
            if not rules.pat:
                raise Forbidden("Not allowed with a personal access token")
            if rules.pat_scope and not grants(credential.scopes, rules.pat_scope):
                raise Forbidden(f"Missing scope: {rules.pat_scope}")
        elif header_user is None and not rules.company:
            raise BadRequest(MISSING_HEADER)
        if credential.acting_user_id is None or credential.acting_role is None:
            raise NotFound("User not found") if header_user else Unauthorized("Invalid API key")
        principal = Principal(
            company_id=CompanyId(credential.company_id),
            credential_id=credential.id,
            kind=credential.kind,
            scopes=frozenset(credential.scopes),
            user_id=credential.acting_user_id,
            role=credential.acting_role,
            user_from_header=header_user is not None,
        )
        if rules.admin and not principal.is_admin:
            raise Forbidden("Admin access required")
        return principal

    @staticmethod
    async def _touch(session: AsyncSession, credential: FoundCredential, now: datetime) -> bool:
        """Record use at most once a minute per credential, in its own short transaction;
        whether it was recorded now.

        The lookup ran outside any transaction, so otherwise there is nothing to end.
        """
        last = credential.last_used_at
        if last is not None and now - last < LAST_USED_RESOLUTION:
            return False
        company_id = CompanyId(credential.company_id)
        await CredentialUseRepository(session, company_id).touch(credential.id, now)
        await session.commit()
        return True
