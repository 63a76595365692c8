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
from slotwise.egress import policy
from slotwise.jobs import Wakeup, after_commit
from slotwise.kit.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from slotwise.kit.slugs import slugify
from slotwise.kit.wire import sent_fields
from slotwise.models import (
    Company,
    CompanyBranding,
    CompanyNotificationSettings,
    LogoStatus,
    Role,
    User,
    UserType,
    uuid7,
)
from slotwise.notifications.repository import DEFAULT_REMINDERS, NotificationSettingsRepository
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


#: the arq job that downloads a company's logo from its `logoUrl`
IMPORT_LOGO = "companies.import_logo"


def import_logo_wakeup(company_id: CompanyId, source_url: str) -> Wakeup:
    """One job per company and URL: a repeated wake-up for the same import is a no-op, one for
    a newer URL is not held up by a download of an older one still running."""
    digest = hashlib.sha256(source_url.encode()).hexdigest()[:16]
    return Wakeup(IMPORT_LOGO, (str(company_id),), job_id=f"logo:{company_id}:{digest}")


def store_logo(row: CompanyBranding, content: bytes, source_url: str | None = None) -> None:
    """Put a checked image (or none: empty) on the row, uploaded or imported from `source_url`."""
    row.logo = content or None
    row.logo_type = logo_type(content) if content else None
    row.logo_version = hashlib.sha256(content).hexdigest()[:16] if content else None
    row.logo_source_url = source_url if content else None
    row.logo_status = LogoStatus.READY if content else None
    row.logo_error = None


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
            logo_status=None,
            logo_error=None,
        )
    path = logo_path(row)
    served = None if path is None else f"{public_url.rstrip('/')}{path}"
    return s.Branding(
        display_name=row.display_name,
        primary_color=row.primary_color,
        secondary_color=row.secondary_color,
        hide_powered_by=row.hide_powered_by,
        default_language=row.default_language,
        privacy_policy_url=row.privacy_policy_url,
        allowed_embed_origins=list(row.allowed_embed_origins),
        logo_url=row.logo_source_url or served,
        logo_status=LogoStatus(row.logo_status) if row.logo_status else None,
        logo_error=row.logo_error,
    )


class BrandingService:
    def __init__(self, session: AsyncSession, company_id: CompanyId, settings: Settings) -> None:
        self.session = session
        self.company_id = company_id
        self.settings = settings
        self.branding = BrandingRepository(session, company_id)

    async def get(self) -> s.Branding:
        return branding_view(await self.branding.current(), self.settings.public_url)

    async def update(self, data: s.BrandingUpdate) -> s.Branding:
        changes = sent_fields(data)
        logo_sent = "logo_url" in changes
        source = changes.pop("logo_url", None)
        if source is not None:
            self._check_source(source)
        row = await self.branding.locked()
        for name, value in changes.items():
            setattr(row, name, value)
        if logo_sent:
            self._point_logo_at(row, source)
        await self.session.flush()
        return branding_view(row, self.settings.public_url)

    def _check_source(self, url: str) -> None:
        """The URL alone is checked, not what its name resolves to (that would tell a caller
        which internal names exist); the import resolves and checks every address it fetches."""
        try:
            allow_private = self.settings.image_import_allow_private_networks
            policy.parse_endpoint(url, allow_private=allow_private)
        except policy.UrlProblem as exc:
            raise ValidationFailed.field("logoUrl", f"The URL {exc}") from exc

    def _point_logo_at(self, row: CompanyBranding, source: str | None) -> None:
        """Remove the logo (null) or import it (again) from `source`; sending back the URL of an
        uploaded logo, as GET answered it, changes nothing."""
        if source is None:
            store_logo(row, b"")
            return
        if (
            row.logo_source_url is None
            and source == branding_view(row, self.settings.public_url).logo_url
        ):
            return
        # the pages keep showing the current logo until the new one has arrived
        row.logo_source_url = source
        row.logo_status = LogoStatus.PENDING
        row.logo_error = None
        after_commit(self.session, import_logo_wakeup(self.company_id, source))

    async def set_logo(self, content: bytes) -> s.Branding:
        """Store an uploaded logo (PNG, JPEG, GIF or WebP, up to 256 KB), or remove it (empty)."""
        if content and logo_type(content) is None:
            raise UnsupportedMediaType("The logo must be a PNG, JPEG, GIF or WebP image")
        if len(content) > MAX_LOGO_BYTES:
            raise PayloadTooLarge(f"The logo may be at most {MAX_LOGO_BYTES // 1024} KB")
        row = await self.branding.locked()
        store_logo(row, content)
        await self.session.flush()
        return branding_view(row, self.settings.public_url)


async def provide_branding_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> BrandingService:
    return BrandingService(db, principal.company_id, settings)


class NotificationSettingsService:
    def __init__(self, session: AsyncSession, company_id: CompanyId) -> None:
        self.session = session
        self.rows = NotificationSettingsRepository(session, company_id)

    async def get(self) -> s.NotificationSettings:
        return notification_settings_view(await self.rows.current())

    async def update(self, data: s.NotificationSettingsUpdate) -> s.NotificationSettings:
        row = await self.rows.locked()
        for name, value in sent_fields(data).items():
            setattr(
                row, name, sorted(set(value), reverse=True) if isinstance(value, list) else value
            )
        await self.session.flush()
        return notification_settings_view(row)


def notification_settings_view(row: CompanyNotificationSettings | None) -> s.NotificationSettings:
    if row is None:
        return s.NotificationSettings(
            host_emails=True,
            attendee_emails=True,
            host_reminders=False,
            reminder_defaults=list(DEFAULT_REMINDERS),
            host_appointment_url=None,
        )
    return s.NotificationSettings(
        host_emails=row.host_emails,
        attendee_emails=row.attendee_emails,
        host_reminders=row.host_reminders,
        reminder_defaults=list(row.reminder_defaults),
        host_appointment_url=row.host_appointment_url,
    )


async def provide_notification_settings_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> NotificationSettingsService:
    return NotificationSettingsService(db, principal.company_id)
