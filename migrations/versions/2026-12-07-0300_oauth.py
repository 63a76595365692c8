"""OAuth 2.0 for third-party apps: registered clients, authorization codes, refresh tokens,
partner-issued sign-ins of the consent page, and grants as credentials of a new kind `oauth`

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a new label may be added inside the migration's transaction as long as nothing in the
    # same transaction uses it (PostgreSQL 12 and later)
    op.execute("ALTER TYPE credential_kind ADD VALUE IF NOT EXISTS 'oauth'")
    op.create_table(
        "oauth_client",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("redirect_uris", sa.ARRAY(sa.String(length=2000)), nullable=False),
        sa.Column("scopes", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_oauth_client_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_oauth_client")),
    )
    op.create_index(op.f("ix_oauth_client_id"), "oauth_client", ["id"], unique=False)
    op.create_table(
        "oauth_code",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("scopes", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credential_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "client_id"],
            ["oauth_client.company_id", "oauth_client.id"],
            name="fk_oauth_code_client",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_oauth_code_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_oauth_code_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_oauth_code")),
    )
    op.create_index(op.f("ix_oauth_code_id"), "oauth_code", ["id"], unique=False)
    op.create_index("uq_oauth_code_digest", "oauth_code", ["company_id", "digest"], unique=True)
    op.create_table(
        "oauth_sign_in",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_digest", sa.LargeBinary(length=32), nullable=True),
        sa.Column("session_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_oauth_sign_in_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_oauth_sign_in_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_oauth_sign_in")),
    )
    op.create_index("ix_oauth_sign_in_digest", "oauth_sign_in", ["digest"], unique=False)
    op.create_index(op.f("ix_oauth_sign_in_id"), "oauth_sign_in", ["id"], unique=False)
    op.create_index(
        "ix_oauth_sign_in_session_digest",
        "oauth_sign_in",
        ["session_digest"],
        unique=False,
        postgresql_where=sa.text("session_digest IS NOT NULL"),
    )
    op.create_index(
        "uq_oauth_sign_in_digest", "oauth_sign_in", ["company_id", "digest"], unique=True
    )
    op.create_table(
        "oauth_refresh_token",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "credential_id"],
            ["credential.company_id", "credential.id"],
            name="fk_oauth_refresh_token_credential",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_oauth_refresh_token_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_oauth_refresh_token")),
    )
    op.create_index(
        op.f("ix_oauth_refresh_token_credential_id"),
        "oauth_refresh_token",
        ["credential_id"],
        unique=False,
    )
    op.create_index(op.f("ix_oauth_refresh_token_id"), "oauth_refresh_token", ["id"], unique=False)
    op.create_index(
        "uq_oauth_refresh_token_digest",
        "oauth_refresh_token",
        ["company_id", "digest"],
        unique=True,
    )
    op.add_column("credential", sa.Column("oauth_client_id", sa.Uuid(), nullable=True))
    op.create_index(
        op.f("ix_credential_oauth_client_id"), "credential", ["oauth_client_id"], unique=False
    )
    op.create_foreign_key(
        "fk_credential_oauth_client",
        "credential",
        "oauth_client",
        ["company_id", "oauth_client_id"],
        ["company_id", "id"],
        ondelete="CASCADE",
    )


def downgrade() -> None:
    op.drop_constraint("fk_credential_oauth_client", "credential", type_="foreignkey")
    op.drop_index(op.f("ix_credential_oauth_client_id"), table_name="credential")
    op.drop_column("credential", "oauth_client_id")
    op.drop_index("uq_oauth_refresh_token_digest", table_name="oauth_refresh_token")
    op.drop_index(op.f("ix_oauth_refresh_token_id"), table_name="oauth_refresh_token")
    op.drop_index(op.f("ix_oauth_refresh_token_credential_id"), table_name="oauth_refresh_token")
    op.drop_table("oauth_refresh_token")
    op.drop_index("uq_oauth_sign_in_digest", table_name="oauth_sign_in")
    op.drop_index(
        "ix_oauth_sign_in_session_digest",
        table_name="oauth_sign_in",
        postgresql_where=sa.text("session_digest IS NOT NULL"),
    )
    op.drop_index(op.f("ix_oauth_sign_in_id"), table_name="oauth_sign_in")
    op.drop_index("ix_oauth_sign_in_digest", table_name="oauth_sign_in")
    op.drop_table("oauth_sign_in")
    op.drop_index("uq_oauth_code_digest", table_name="oauth_code")
    op.drop_index(op.f("ix_oauth_code_id"), table_name="oauth_code")
    op.drop_table("oauth_code")
    op.drop_index(op.f("ix_oauth_client_id"), table_name="oauth_client")
    op.drop_table("oauth_client")
    # a label cannot be dropped from an enum: the type is made again without it (the partial
    # index naming `kind` goes and comes back with it)
    op.execute("DELETE FROM credential WHERE kind = 'oauth'")
    op.drop_index("uq_credential_pat_name_per_user", table_name="credential")
    op.execute("ALTER TYPE credential_kind RENAME TO credential_kind_old")
    op.execute("CREATE TYPE credential_kind AS ENUM ('api_key', 'pat')")
    op.execute(
        "ALTER TABLE credential ALTER COLUMN kind TYPE credential_kind"
        " USING kind::text::credential_kind"
    )
    op.execute("DROP TYPE credential_kind_old")
    op.create_index(
        "uq_credential_pat_name_per_user",
        "credential",
        ["company_id", "user_id", "name"],
        unique=True,
        postgresql_where=sa.text("kind = 'pat' AND revoked_at IS NULL"),
    )
