"""Company-level settings, scoped to one company."""

from slotwise.models import CompanyRateLimit
from slotwise.tenancy import TenantRepository


class RateLimitRepository(TenantRepository[CompanyRateLimit]):
    model = CompanyRateLimit

    async def current(self) -> CompanyRateLimit | None:
        found = await self.list()
        return found[0] if found else None
