"""OAuth 2.0: the third-party apps a company registered, their pending authorization codes and
refresh tokens, and the partner-issued sign-ins of the consent page.

An authorization (a grant) is one `credential` row of kind `oauth`: the access token is that
credential's secret, so it authenticates through the same lookup, hash check, scopes, rate
limits and tenancy as a personal access token. Deleting the credential ends the grant; its
refresh tokens go with it, and deleting the client takes every grant of it.

Every token here is random with at least 256 bits; only a SHA-256 digest is stored, which is
enough for a secret that cannot be guessed (argon2 guards the low-entropy secrets of people,
of which there are none here).
"""

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, ForeignKeyConstraint, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel, TimestampMixin


class OAuthClient(TimestampMixin, TenantModel):
    """A third-party app; its public `client_id` is the row id, its secret a digest."""

    __tablename__ = "oauth_client"

    name: Mapped[str] = mapped_column(String(100))
    secret_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    redirect_uris: Mapped[list[str]] = mapped_column(ARRAY(String(2000)))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    created_by_id: Mapped[uuid.UUID | None]
    #: the last request of the app to the token or revocation endpoint
    last_used_at: Mapped[datetime | None]


class OAuthCode(TenantModel):
    """An authorization code: single use, minutes long, bound to its redirect URI and PKCE
    challenge. `credential_id` names the grant it was exchanged for, which a second use of the
    code revokes (RFC 6749 section 4.1.2)."""

    __tablename__ = "oauth_code"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "client_id"],
            ["oauth_client.company_id", "oauth_client.id"],
            name="fk_oauth_code_client",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_oauth_code_user",
            ondelete="CASCADE",
        ),
        Index("uq_oauth_code_digest", "company_id", "digest", unique=True),
    )

    client_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    code_challenge: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    credential_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class OAuthRefreshToken(TenantModel):
    """One refresh token of a grant. Using it marks it used and issues the next one; a used
    token presented again means it leaked, and the whole grant is revoked."""

    __tablename__ = "oauth_refresh_token"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "credential_id"],
            ["credential.company_id", "credential.id"],
            name="fk_oauth_refresh_token_credential",
            ondelete="CASCADE",
        ),
        Index("uq_oauth_refresh_token_digest", "company_id", "digest", unique=True),
    )

    credential_id: Mapped[uuid.UUID] = mapped_column(index=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class OAuthSignIn(TenantModel):
    """A partner-issued sign-in for the consent page: the company's backend mints a short-lived,
    single-use token for one of its users; redeeming it starts a browser session (the cookie's
    digest is `session_digest`) that lasts until `session_expires_at`."""

    __tablename__ = "oauth_sign_in"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_oauth_sign_in_user",
            ondelete="CASCADE",
        ),
        # the sign-in page finds a token (and a cookie its session) by digest alone, before
        # the company is known; unique per company, as a table distributed by company can be
        Index("uq_oauth_sign_in_digest", "company_id", "digest", unique=True),
        Index("ix_oauth_sign_in_digest", "digest"),
        Index(
            "ix_oauth_sign_in_session_digest",
            "session_digest",
            postgresql_where=text("session_digest IS NOT NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID]
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    session_digest: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    session_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
