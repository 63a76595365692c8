"""companies, users and credentials (platform API keys, personal access tokens)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:02:36.124507
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company")),
    )
    op.create_table(
        "user",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("date_format", sa.String(length=20), nullable=True),
        sa.Column("time_format", sa.String(length=10), nullable=True),
        sa.Column("week_start", sa.String(length=10), nullable=True),
        sa.Column("role", sa.Enum("owner", "admin", "member", name="user_role"), nullable=False),
        sa.Column(
            "user_type",
            sa.Enum("standard", "api-platform", "resource", "partner", name="user_type"),
            nullable=False,
        ),
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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_user_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("company_id", "id", name=op.f("uq_user_company_id_id")),
    )
    op.create_index(op.f("ix_user_company_id"), "user", ["company_id"], unique=False)
    op.create_index("uq_user_email_lower", "user", [sa.literal_column("lower(email)")], unique=True)
    op.create_index(
        "uq_user_one_owner_per_company",
        "user",
        ["company_id"],
        unique=True,
        postgresql_where=sa.text("role = 'owner'"),
    )
    op.create_index("uq_user_slug", "user", ["slug"], unique=True)
    op.create_table(
        "credential",
        sa.Column("kind", sa.Enum("api_key", "pat", name="credential_kind"), nullable=False),
        sa.Column("lookup_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=256), nullable=False),
        sa.Column("display_prefix", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("scopes", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_credential_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_credential_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential")),
    )
    op.create_index(op.f("ix_credential_company_id"), "credential", ["company_id"], unique=False)
    op.create_index(op.f("ix_credential_user_id"), "credential", ["user_id"], unique=False)
    op.create_index("uq_credential_lookup_id", "credential", ["lookup_id"], unique=True)
    op.create_index(
        "uq_credential_pat_name_per_user",
        "credential",
        ["user_id", "name"],
        unique=True,
        postgresql_where=sa.text("kind = 'pat' AND revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_credential_pat_name_per_user",
        table_name="credential",
        postgresql_where=sa.text("kind = 'pat' AND revoked_at IS NULL"),
    )
    op.drop_index("uq_credential_lookup_id", table_name="credential")
    op.drop_index(op.f("ix_credential_user_id"), table_name="credential")
    op.drop_index(op.f("ix_credential_company_id"), table_name="credential")
    op.drop_table("credential")
    op.drop_index("uq_user_slug", table_name="user")
    op.drop_index(
        "uq_user_one_owner_per_company",
        table_name="user",
        postgresql_where=sa.text("role = 'owner'"),
    )
    op.drop_index("uq_user_email_lower", table_name="user")
    op.drop_index(op.f("ix_user_company_id"), table_name="user")
    op.drop_table("user")
    op.drop_table("company")
    for enum_type in ("credential_kind", "user_type", "user_role"):
        op.execute(f"DROP TYPE IF EXISTS {enum_type}")
