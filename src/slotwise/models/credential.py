"""Credentials: platform API keys (company-owned) and personal access tokens (user-owned)."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    Boolean,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import Base, TenantModel


class CredentialKind(enum.StrEnum):
    API_KEY = "api_key"
    PAT = "pat"
    #: an OAuth 2.0 grant: a third-party app acting for the user (`models.oauth`)
    OAUTH = "oauth"


class Credential(TenantModel):
    """Only an argon2id hash of the secret is stored; the secret is shown once, at creation."""

    __tablename__ = "credential"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_credential_user",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "oauth_client_id"],
            ["oauth_client.company_id", "oauth_client.id"],
            name="fk_credential_oauth_client",
            ondelete="CASCADE",
        ),
        # unique platform-wide through `credential_lookup`, which authentication reads first
        Index("uq_credential_lookup_id", "company_id", "lookup_id", unique=True),
        Index(
            "uq_credential_pat_name_per_user",
            "company_id",
            "user_id",
            "name",
            unique=True,
            postgresql_where=text("kind = 'pat' AND revoked_at IS NULL"),
        ),
    )

    kind: Mapped[CredentialKind] = mapped_column(
        Enum(CredentialKind, name="credential_kind", values_callable=lambda e: [m.value for m in e])
    )
    lookup_id: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(256))
    display_prefix: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_by_id: Mapped[uuid.UUID | None]
    #: the app of an OAuth grant (kind `oauth`); deleting the app ends its grants
    oauth_client_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class CredentialLookup(Base):
    """A credential's lookup id, unique platform-wide, and the company that owns it.

    Authentication reads it first: the bearer token names no company, and a PAT's 8-character
    lookup id is too short to be unique by chance. Kept apart from `credential` so that table
    can be distributed by company while this one stays global (a reference table): no foreign
    key to the credential, and a row outlives a deleted credential only as a taken id.
    """

    __tablename__ = "credential_lookup"

    lookup_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[uuid.UUID]
