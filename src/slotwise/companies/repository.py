"""Company-level settings rows, scoped to the company like every tenant table."""

from sqlalchemy.orm import undefer

from slotwise.db.tenancy import TenantRepository
from slotwise.models import CompanyBranding


class BrandingRepository(TenantRepository[CompanyBranding]):
    model = CompanyBranding

    async def current(self) -> CompanyBranding | None:
        """The company's branding; the logo's bytes stay in the database (see `with_logo`)."""
        return await self.first()

    async def with_logo(self) -> CompanyBranding | None:
        return await self.first(options=[undefer(CompanyBranding.logo)])

    async def locked(self) -> CompanyBranding:
        """The company's row, created if missing, locked until commit."""
        return await self.locked_one(
            ["company_id"], hide_powered_by=False, allowed_embed_origins=[]
        )
