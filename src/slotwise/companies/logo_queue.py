"""Logo imports whose wake-up was lost: the one cross-tenant query of company settings.

The sweep finds them whatever their company and hands each company id to the import job,
which reads and writes the row through the company's own repository (declared cross-tenant for
the tenancy lint).
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.tenancy import CompanyId
from slotwise.models import CompanyBranding, LogoStatus


async def stalled_imports(
    session: AsyncSession, before: datetime, limit: int = 100
) -> list[tuple[CompanyId, str]]:
    """Companies whose logo import has been pending since before `before`, with its URL."""
    stmt = (
        select(CompanyBranding.company_id, CompanyBranding.logo_source_url)
        .where(
            CompanyBranding.logo_status == LogoStatus.PENDING,
            CompanyBranding.updated_at < before,
            CompanyBranding.logo_source_url.is_not(None),
        )
        .order_by(CompanyBranding.updated_at)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return [(CompanyId(company_id), url) for company_id, url in rows if url is not None]
