"""Company-level settings rows, scoped to the company like every tenant table."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import undefer

from slotwise.db.tenancy import TenantRepository
from slotwise.models import CompanyBranding, uuid7


class BrandingRepository(TenantRepository[CompanyBranding]):
    model = CompanyBranding

    async def current(self) -> CompanyBranding | None:
        """The company's branding; the logo's bytes stay in the database (see `with_logo`)."""
        found = await self.list()
        return found[0] if found else None

    async def with_logo(self) -> CompanyBranding | None:
        found = await self.list(options=[undefer(CompanyBranding.logo)])
        return found[0] if found else None

    async def locked(self) -> CompanyBranding:
        """The company's row, created if missing, locked until commit: concurrent updates of
        one company's branding take turns instead of racing on the unique company id."""
        stmt = (
            insert(CompanyBranding)
            .values(
                id=uuid7(),
                company_id=self.company_id,
                hide_powered_by=False,
                allowed_embed_origins=[],
            )
            .on_conflict_do_nothing(index_elements=["company_id"])
        )
        await self.session.execute(stmt)
        return (await self.session.scalars(self.select().with_for_update())).one()
