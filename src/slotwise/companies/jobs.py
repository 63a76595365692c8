"""Logo imports: `companies.import_logo` downloads a company's `logoUrl`, the sweep wakes
imports whose wake-up was lost.

The download runs with no database connection held: the URL is read in one short transaction,
fetched through the egress client (every address checked, 256 KB, 15 s), and the result stored
in another, only if the row still asks for that URL.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.companies.logo_queue import stalled_imports
from slotwise.companies.repository import BrandingRepository
from slotwise.companies.service import (
    MAX_LOGO_BYTES,
    import_logo_wakeup,
    logo_type,
    store_logo,
)
from slotwise.db.tenancy import CompanyId
from slotwise.egress.fetch import FetchFailed, fetch
from slotwise.egress.transport import Resolver, system_resolver
from slotwise.jobs import enqueue
from slotwise.models import LogoStatus
from slotwise.settings import Settings

SWEEP_LOGO_IMPORTS = "companies.sweep_logo_imports"
#: a pending import older than this has lost its wake-up (a download takes at most 15 s)
STALLED_AFTER = timedelta(seconds=60)
FETCH_TIMEOUT_SECONDS = 15.0

log = logging.getLogger("slotwise.companies")


@dataclass
class LogoImporter:
    sessions: async_sessionmaker[AsyncSession]
    allow_private: bool
    resolver: Resolver = system_resolver
    timeout_seconds: float = FETCH_TIMEOUT_SECONDS

    async def run(self, company_id: CompanyId) -> LogoStatus | None:
        """Import the pending logo; its new status, or None when there was nothing to do."""
        async with self.sessions() as session:
            row = await BrandingRepository(session, company_id).current()
            if row is None or row.logo_status != LogoStatus.PENDING or not row.logo_source_url:
                return None
            url = row.logo_source_url
        content, error = await self.download(url)
        async with self.sessions() as session, session.begin():
            row = await BrandingRepository(session, company_id).locked()
            if row.logo_source_url != url or row.logo_status != LogoStatus.PENDING:
                return None  # changed meanwhile: the newer request has its own job
            if error is None:
                store_logo(row, content, source_url=url)
            else:
                row.logo_status = LogoStatus.FAILED
                row.logo_error = error[:300]
                log.info("logo import for company %s failed: %s", company_id, error)
            return LogoStatus(row.logo_status)

    async def download(self, url: str) -> tuple[bytes, str | None]:
        """The image's bytes, or the reason it cannot be the logo."""
        try:
            fetched = await fetch(
                url,
                allow_private=self.allow_private,
                max_bytes=MAX_LOGO_BYTES,
                accept="image/png, image/jpeg, image/gif, image/webp",
                timeout_seconds=self.timeout_seconds,
                resolver=self.resolver,
            )
        except FetchFailed as exc:
            return b"", f"The logo URL {exc}"
        if logo_type(fetched.content) is None:
            return b"", "The logo URL does not lead to a PNG, JPEG, GIF or WebP image"
        return fetched.content, None


def importer(ctx: dict[str, Any]) -> LogoImporter:
    settings: Settings = ctx["settings"]
    return LogoImporter(ctx["sessionmaker"], settings.image_import_allow_private_networks)


async def import_logo(ctx: dict[str, Any], company_id: str) -> str | None:
    """Download one company's pending logo."""
    status = await importer(ctx).run(CompanyId(uuid.UUID(company_id)))
    return None if status is None else status.value


async def sweep_logo_imports(ctx: dict[str, Any]) -> int:
    """Wake logo imports pending for longer than a download can take."""
    sessions: async_sessionmaker[AsyncSession] = ctx["sessionmaker"]
    async with sessions() as session:
        stalled = await stalled_imports(session, datetime.now(UTC) - STALLED_AFTER)
    for company_id, url in stalled:
        await enqueue(ctx["redis"], import_logo_wakeup(company_id, url))
    return len(stalled)
