"""Rate limiting of requests: after authentication, keyed by credential (or by client address
for unauthenticated routes and failed authentication) for the per-minute limit and by company
for a company's hour and day quotas, with the limit headers on every
response. Health probes are exempt: throttling a load balancer's probe would take the instance
out of rotation."""

import asyncio
import contextlib
import uuid
from typing import Protocol, runtime_checkable

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from slotwise.db.session import request_session
from slotwise.kit.clientaddr import client_address, limit_subject
from slotwise.kit.errors import TooManyRequests
from slotwise.ratelimit.limiter import RATE_LIMITER, Policy, RateLimiter
from slotwise.ratelimit.policies import RATE_POLICIES
from slotwise.settings import SETTINGS, Settings

EXEMPT_PREFIXES = ("/health",)


@runtime_checkable
class Caller(Protocol):
    """What the limiter needs of an authenticated caller (the auth package's `Principal`)."""

    @property
    def credential_id(self) -> uuid.UUID: ...

    @property
    def company_id(self) -> uuid.UUID: ...


def is_limited(scope: Scope) -> bool:
    if scope["type"] != ScopeType.HTTP or not SETTINGS.of(scope["app"].state).rate_limit_enabled:
        return False
    return not scope.get("path", "").startswith(EXEMPT_PREFIXES)


async def charge_address(scope: Scope) -> dict[str, str]:
    """Count a request without a credential against the default policy, by client address.

    Returns the limit headers; over the limit raises TooManyRequests carrying them.
    """
    state = scope["app"].state
    address = client_address(scope, SETTINGS.of(state).trusted_proxies)
    subject = f"addr:{limit_subject(address)}"
    return await _charge(RATE_LIMITER.of(state), subject, RATE_POLICIES.of(state).default)


async def _charge(
    limiter: RateLimiter, subject: str, policy: Policy, company: str | None = None
) -> dict[str, str]:
    decision = await limiter.hit(subject, policy, company=company)
    headers = decision.headers()
    if not decision.allowed:
        raise TooManyRequests(headers=headers)
    return headers


_EARLY = "slotwise.ratelimit.early"


def charge_early(scope: Scope, credential_id: uuid.UUID, company_id: uuid.UUID) -> None:
    """Start counting the request against its credential while authentication still runs.

    Only for a secret this process already verified for the presented key id (so nobody else
    can drain a key's bucket) and a company policy already cached. The middleware waits for the
    decision before any handler work, exactly as if it had asked then; the Redis round trip
    overlaps the credential query instead of following it.
    """
    if not is_limited(scope):
        return
    state = scope["app"].state
    policy = RATE_POLICIES.of(state).cached(company_id)
    if policy is None:
        return
    task = asyncio.ensure_future(
        _charge(RATE_LIMITER.of(state), f"cred:{credential_id}", policy, f"company:{company_id}")
    )
    scope.setdefault("state", {})[_EARLY] = (credential_id, task)


async def settle_early(scope: Scope) -> None:
    """Collect an early count the middleware did not use (the request failed authentication)."""
    early = scope.get("state", {}).pop(_EARLY, None)
    if early is not None:
        await _discard(early[1])


async def _discard(count: asyncio.Future[dict[str, str]]) -> None:
    with contextlib.suppress(TooManyRequests):
        await count


def rate_limit_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if not is_limited(scope):
            await app(scope, receive, send)
            return
        state = scope["app"].state
        principal = scope.get("user")
        early = scope.get("state", {}).pop(_EARLY, None)
        if isinstance(principal, Caller) and early and early[0] == principal.credential_id:
            headers = await early[1]
        elif isinstance(principal, Caller):
            if early is not None:
                await _discard(early[1])
            policies = RATE_POLICIES.of(state)
            session = request_session(scope)
            policy = await policies.for_company(session, principal.company_id)
            headers = await _charge(
                RATE_LIMITER.of(state),
                f"cred:{principal.credential_id}",
                policy,
                f"company:{principal.company_id}",
            )
        else:
            headers = await charge_address(scope)

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
