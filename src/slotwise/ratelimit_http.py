"""Rate limiting of API requests: after authentication, keyed by credential (or by client
address for unauthenticated routes), with the limit headers on every API response."""

import time
import uuid
from dataclasses import dataclass

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.clientaddr import client_address
from slotwise.companies.repository import RateLimitRepository
from slotwise.errors import TooManyRequests
from slotwise.principal import Principal
from slotwise.ratelimit import Policy, RateLimiter
from slotwise.settings import Settings
from slotwise.tenancy import CompanyId

LIMITED_PREFIXES = ("/v4", "/webhooks")
OVERRIDE_TTL_SECONDS = 5.0


@dataclass
class _Cached:
    policy: Policy
    expires: float


class CompanyPolicies:
    """Per-company overrides from the database, cached a few seconds per process."""

    def __init__(self, default: Policy, ttl: float = OVERRIDE_TTL_SECONDS) -> None:
        self.default = default
        self.ttl = ttl
        self._cache: dict[uuid.UUID, _Cached] = {}

    async def for_company(
        self, sessionmaker: async_sessionmaker[AsyncSession], company_id: uuid.UUID
    ) -> Policy:
        now = time.monotonic()
        cached = self._cache.get(company_id)
        if cached is not None and cached.expires > now:
            return cached.policy
        async with sessionmaker() as session:
            row = await RateLimitRepository(session, CompanyId(company_id)).current()
        policy = self.default
        if row is not None:
            policy = Policy.build(row.per_minute, row.burst, row.per_hour, row.per_day)
        self._cache[company_id] = _Cached(policy, now + self.ttl)
        return policy


def rate_limit_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        limited = scope["app"].state.settings.rate_limit_enabled
        if scope["type"] != ScopeType.HTTP or not limited or not path.startswith(LIMITED_PREFIXES):
            await app(scope, receive, send)
            return
        state = scope["app"].state
        settings: Settings = state.settings
        limiter: RateLimiter = state.rate_limiter
        principal = scope.get("user")
        if isinstance(principal, Principal):
            policies: CompanyPolicies = state.rate_policies
            policy = await policies.for_company(state.sessionmaker, principal.company_id)
            subject = f"cred:{principal.credential_id}"
        else:
            policy = state.rate_policies.default
            subject = f"addr:{client_address(scope, settings.trusted_proxies)}"
        decision = await limiter.hit(subject, policy)
        headers = decision.headers()
        if not decision.allowed:
            raise TooManyRequests(headers=headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                target = MutableScopeHeaders.from_message(message)
                for name, value in headers.items():
                    target[name] = value
            await send(message)

        await app(scope, receive, send_with_headers)

    return middleware


def default_policy(settings: Settings) -> Policy:
    return Policy.build(settings.rate_limit_per_minute, settings.rate_limit_burst)
