"""A company's look on its invitee pages (white label); one row per company, absent = ours."""

from typing import Any

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel, TimestampMixin


class CompanyBranding(TimestampMixin, TenantModel):
    __tablename__ = "company_branding"
    __table_args__ = (UniqueConstraint("company_id"),)

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
