"""A company's look on its invitee pages (white label); one row per company, absent = ours."""

import enum
from typing import Any

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel, TimestampMixin


class LogoStatus(enum.StrEnum):
    """Where a logo imported from a URL stands (an uploaded logo is `ready` at once)."""

    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class CompanyBranding(TimestampMixin, TenantModel):
    __tablename__ = "company_branding"
    __table_args__ = (
        UniqueConstraint("company_id"),
        Index(
            "ix_company_branding_logo_pending",
            "updated_at",
            postgresql_where=text("logo_status = 'pending'"),
        ),
    )

    display_name: Mapped[str | None] = mapped_column(String(200))
    primary_color: Mapped[str | None] = mapped_column(String(7))
    secondary_color: Mapped[str | None] = mapped_column(String(7))
    hide_powered_by: Mapped[bool] = mapped_column(default=False)
    default_language: Mapped[str | None] = mapped_column(String(8))
    privacy_policy_url: Mapped[str | None] = mapped_column(String(2000))
    allowed_embed_origins: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    #: the uploaded logo, served by the app itself (pages never load images from elsewhere)
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # read only to serve it
    logo_type: Mapped[str | None] = mapped_column(String(40))
    #: changes with the image, so its URL can be cached for good
    logo_version: Mapped[str | None] = mapped_column(String(16))
    #: the https URL the logo is imported from (null for an uploaded logo)
    logo_source_url: Mapped[str | None] = mapped_column(String(2000))
    logo_status: Mapped[str | None] = mapped_column(String(10))
    #: why the last import failed, in words a partner can act on
    logo_error: Mapped[str | None] = mapped_column(String(300))
