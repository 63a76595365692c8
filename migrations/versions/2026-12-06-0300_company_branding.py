"""company branding for the invitee pages

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company_branding",
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("primary_color", sa.String(length=7), nullable=True),
        sa.Column("secondary_color", sa.String(length=7), nullable=True),
        sa.Column("hide_powered_by", sa.Boolean(), nullable=False),
        sa.Column("default_language", sa.String(length=8), nullable=True),
        sa.Column("privacy_policy_url", sa.String(length=2000), nullable=True),
        sa.Column("allowed_embed_origins", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
            name=op.f("fk_company_branding_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_branding")),
        sa.UniqueConstraint("company_id", name=op.f("uq_company_branding_company_id")),
    )
    op.create_index(
        op.f("ix_company_branding_company_id"), "company_branding", ["company_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_company_branding_company_id"), table_name="company_branding")
    op.drop_table("company_branding")
