"""Per-company rate-limit overrides, read from the database and cached a few seconds."""

import time
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.tenancy import CompanyId, TenantRepository
from slotwise.kit.state import StateKey
from slotwise.models import CompanyRateLimit
from slotwise.ratelimit.limiter import Policy

OVERRIDE_TTL_SECONDS = 5.0


class RateLimitRepository(TenantRepository[CompanyRateLimit]):
    model = CompanyRateLimit

    async def current(self) -> CompanyRateLimit | None:
        return await self.first()


@dataclass
class _Cached:
    policy: Policy
    expires: float


class CompanyPolicies:
    """Per-company overrides from the database, cached a few seconds per process.

    `api_v1` is the /api/v1 surface's fixed policy: overrides do not apply to it.
    """

    def __init__(
        self, default: Policy, ttl: float = OVERRIDE_TTL_SECONDS, *, api_v1: Policy | None = None
    ) -> None:
        self.default = default
        self.api_v1 = default if api_v1 is None else api_v1
        self.ttl = ttl
        self._cache: dict[uuid.UUID, _Cached] = {}

    def cached(self, company_id: uuid.UUID) -> Policy | None:
        """The company's policy if this process read it in the last few seconds (no I/O)."""
        cached = self._cache.get(company_id)
        if cached is not None and cached.expires > time.monotonic():
            return cached.policy
        return None

    async def for_company(self, session: AsyncSession, company_id: uuid.UUID) -> Policy:
        """Read through the request's own session, so a request holds one connection."""
        policy = self.cached(company_id)
        if policy is not None:
            return policy
        row = await RateLimitRepository(session, CompanyId(company_id)).current()
        policy = self.default
        if row is not None:
            policy = Policy.build(row.per_minute, row.burst, row.per_hour, row.per_day)
        self._cache[company_id] = _Cached(policy, time.monotonic() + self.ttl)
        return policy


RATE_POLICIES = StateKey("rate_policies", CompanyPolicies)
