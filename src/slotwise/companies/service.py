"""Bootstrapping a tenant: company, owner user and a first platform API key."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.auth.verifier import Verifier
from slotwise.companies import schemas as s
from slotwise.companies.repository import BrandingRepository
from slotwise.credentials.repository import CredentialRepository
from slotwise.credentials.service import mint_api_key
from slotwise.db.tenancy import CompanyId
from slotwise.kit.errors import PayloadTooLarge, UnsupportedMediaType
from slotwise.kit.slugs import slugify
from slotwise.kit.wire import sent_fields
from slotwise.models import Company, CompanyBranding, Role, User, UserType, uuid7
from slotwise.settings import Settings
from slotwise.users.repository import UserRepository


@dataclass(frozen=True)
class Bootstrapped:
    company_id: CompanyId
    owner_user_id: str
    api_key: str
    expires_at: datetime


async def create_company(
    session: AsyncSession,
    verifier: Verifier,
    *,
    name: str,
    owner_email: str,
    owner_given_name: str = "Owner",
    owner_family_name: str = "",
    timezone: str = "UTC",
    key_days: int = 90,
) -> Bootstrapped:
    """The one place a CompanyId is minted from a new row."""
    company = Company(id=uuid7(), name=name, timezone=timezone)
    session.add(company)
    await session.flush()
    company_id = CompanyId(company.id)
    owner = await UserRepository(session, company_id).insert(
        User(
            email=owner_email,
            given_name=owner_given_name,
            family_name=owner_family_name,
            timezone=timezone,
            language="en",
            role=Role.OWNER,
            user_type=UserType.STANDARD,
        ),
        slug=slugify(f"{owner_given_name} {owner_family_name}"),
        explicit=False,
    )
    minted = await mint_api_key(
        CredentialRepository(session, company_id),
        verifier,
        name="bootstrap",
        created_by_id=owner.id,
        days=key_days,
    )
    await session.flush()
    return Bootstrapped(company_id, str(owner.id), minted.token, minted.expires_at)


MAX_LOGO_BYTES = 256 * 1024
#: the image types a logo may have, by the bytes every such file starts with
LOGO_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def logo_path(row: CompanyBranding | None) -> str | None:
    """The logo's path on this server; the version makes each image's URL cacheable for good."""
    if row is None or row.logo_version is None:
        return None
    return f"/brand/{row.company_id}/logo?v={row.logo_version}"


def logo_type(content: bytes) -> str | None:
    """The image type of an upload, read from its first bytes (never from what it claims)."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return next(
        (kind for start, kind in LOGO_SIGNATURES.items() if content.startswith(start)), None
    )


def branding_view(row: CompanyBranding | None, public_url: str = "") -> s.Branding:
    if row is None:
        return s.Branding(
            display_name=None,
            primary_color=None,
            secondary_color=None,
            hide_powered_by=False,
            default_language=None,
            privacy_policy_url=None,
            allowed_embed_origins=[],
            logo_url=None,
        )
    path = logo_path(row)
    return s.Branding(
        display_name=row.display_name,
        primary_color=row.primary_color,
        secondary_color=row.secondary_color,
        hide_powered_by=row.hide_powered_by,
        default_language=row.default_language,
        privacy_policy_url=row.privacy_policy_url,
        allowed_embed_origins=list(row.allowed_embed_origins),
        logo_url=None if path is None else f"{public_url.rstrip('/')}{path}",
    )


class BrandingService:
    def __init__(self, session: AsyncSession, company_id: CompanyId, public_url: str) -> None:
        self.session = session
        self.public_url = public_url
        self.branding = BrandingRepository(session, company_id)

    async def get(self) -> s.Branding:
        return branding_view(await self.branding.current(), self.public_url)

    async def update(self, data: s.BrandingUpdate) -> s.Branding:
        row = await self.branding.locked()
        for name, value in sent_fields(data).items():
            setattr(row, name, value)
        await self.session.flush()
        return branding_view(row, self.public_url)

    async def set_logo(self, content: bytes) -> s.Branding:
        """Store an uploaded logo (PNG, JPEG, GIF or WebP, up to 256 KB), or remove it (empty)."""
        kind = logo_type(content) if content else None
        if content and kind is None:
            raise UnsupportedMediaType("The logo must be a PNG, JPEG, GIF or WebP image")
        if len(content) > MAX_LOGO_BYTES:
            raise PayloadTooLarge(f"The logo may be at most {MAX_LOGO_BYTES // 1024} KB")
        row = await self.branding.locked()
        row.logo = content or None
        row.logo_type = kind
        row.logo_version = hashlib.sha256(content).hexdigest()[:16] if content else None
        await self.session.flush()
        return branding_view(row, self.public_url)


async def provide_branding_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> BrandingService:
    return BrandingService(db, principal.company_id, settings.public_url)
