"""per-company rate-limit overrides

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 08:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company_rate_limit",
        sa.Column("per_minute", sa.Integer(), nullable=False),
        sa.Column("burst", sa.Integer(), nullable=False),
        sa.Column("per_hour", sa.Integer(), nullable=True),
        sa.Column("per_day", sa.Integer(), nullable=True),
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
            name=op.f("fk_company_rate_limit_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_rate_limit")),
        sa.UniqueConstraint("company_id", name=op.f("uq_company_rate_limit_company_id")),
    )
    op.create_index(
        op.f("ix_company_rate_limit_company_id"), "company_rate_limit", ["company_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_company_rate_limit_company_id"), table_name="company_rate_limit")
    op.drop_table("company_rate_limit")
