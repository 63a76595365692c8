"""Rate limiting of requests: after authentication, keyed by credential (or by client address
for unauthenticated routes and failed authentication) for the per-minute limit and by company
for a company's hour and day quotas, with the limit headers on every
response. Health probes are exempt: throttling a load balancer's probe would take the instance
out of rotation; so are metrics scrapes, which their own token guards.

The /api/v1 surface has its own fixed policy and its own buckets (subjects prefixed `v1:`), so
traffic on one surface never spends the other's allowance; company overrides apply to /v4 only.
"""

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable
from typing import Protocol, runtime_checkable

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from slotwise.db.session import request_session
from slotwise.kit import metrics
from slotwise.kit.clientaddr import client_address, limit_subject
from slotwise.kit.errors import TooManyRequests
from slotwise.ratelimit.limiter import COMPANY, RATE_LIMITER, Policy, RateLimiter, Window
from slotwise.ratelimit.policies import RATE_POLICIES
from slotwise.settings import SETTINGS, Settings

EXEMPT_PREFIXES = ("/health",)
#: exact paths (a prefix would also exempt booking pages whose slug starts with it)
EXEMPT_PATHS = frozenset({"/metrics"})
API_V1 = "/api/v1"


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
    path: str = scope.get("path", "")
    return not (path.startswith(EXEMPT_PREFIXES) or path in EXEMPT_PATHS)


def is_api_v1(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    return path == API_V1 or path.startswith(f"{API_V1}/")


def _surface(scope: Scope) -> str:
    """The prefix of the request's limit subjects: each surface has its own buckets."""
    return "v1:" if is_api_v1(scope) else ""


async def charge_address(scope: Scope) -> dict[str, str]:
    """Count a request without a credential by client address, against its surface's default.

    Returns the limit headers; over the limit raises TooManyRequests carrying them.
    """
    state = scope["app"].state
    policies = RATE_POLICIES.of(state)
    address = client_address(scope, SETTINGS.of(state).trusted_proxies)
    subject = f"{_surface(scope)}addr:{limit_subject(address)}"
    policy = policies.api_v1 if is_api_v1(scope) else policies.default
    return await _counted(_charge(RATE_LIMITER.of(state), subject, policy))


async def _counted(charge: Awaitable[dict[str, str]]) -> dict[str, str]:
    """The charge's headers; a refusal is counted in the metrics on its way to the client."""
    try:
        return await charge
    except TooManyRequests:
        metrics.RATE_LIMIT_REJECTIONS.labels("requests").inc()
        raise


async def _charge_caller(
    scope: Scope, credential_id: uuid.UUID, company_id: uuid.UUID, policy: Policy
) -> dict[str, str]:
    surface = _surface(scope)
    return await _charge(
        RATE_LIMITER.of(scope["app"].state),
        f"{surface}cred:{credential_id}",
        policy,
        f"{surface}company:{company_id}",
    )


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
    can drain a key's bucket) and a known policy (/api/v1's fixed one, a company's cached one).
    The middleware waits for the decision before any handler work, exactly as if it had asked
    then; the Redis round trip overlaps the credential query instead of following it.
    """
    if not is_limited(scope):
        return
    policies = RATE_POLICIES.of(scope["app"].state)
    policy = policies.api_v1 if is_api_v1(scope) else policies.cached(company_id)
    if policy is None:
        return
    task = asyncio.ensure_future(_charge_caller(scope, credential_id, company_id, policy))
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
            headers = await _counted(early[1])
        elif isinstance(principal, Caller):
            if early is not None:
                await _discard(early[1])
            policies = RATE_POLICIES.of(state)
            if is_api_v1(scope):
                policy = policies.api_v1
            else:
                session = request_session(scope)
                policy = await policies.for_company(session, principal.company_id)
            headers = await _counted(
                _charge_caller(scope, principal.credential_id, principal.company_id, policy)
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


def api_v1_policy(settings: Settings) -> Policy:
    """The /api/v1 limits: per second (its burst) and per minute per caller, per hour and per
    day per company; the headers report the minute window unless another one refuses."""
    return Policy(
        (
            Window("second", settings.meetario_rate_limit_per_second, 1),
            Window("minute", settings.meetario_rate_limit_per_minute, 60),
            Window("hour", settings.meetario_rate_limit_per_hour, 3600, COMPANY),
            Window("day", settings.meetario_rate_limit_per_day, 86400, COMPANY),
        ),
        headline="minute",
    )
