"""personal page settings per user

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "personal_page",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("use_custom_colors", sa.Boolean(), nullable=False),
        sa.Column("primary_color", sa.String(length=7), nullable=True),
        sa.Column("secondary_color", sa.String(length=7), nullable=True),
        sa.Column("header_image", sa.String(length=2000), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=True),
        sa.Column("show_all_meeting_types", sa.Boolean(), nullable=False),
        sa.Column("meeting_type_order", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("online_profiles", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
            name=op.f("fk_personal_page_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_personal_page_user",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_page")),
        sa.UniqueConstraint(
            "company_id", "user_id", name=op.f("uq_personal_page_company_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_personal_page_company_id"), "personal_page", ["company_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_personal_page_company_id"), table_name="personal_page")
    op.drop_table("personal_page")
