"""Company-level settings, scoped to one company."""

from slotwise.db.tenancy import TenantRepository
from slotwise.models import CompanyRateLimit


class RateLimitRepository(TenantRepository[CompanyRateLimit]):
    model = CompanyRateLimit

    async def current(self) -> CompanyRateLimit | None:
        found = await self.list()
        return found[0] if found else None
