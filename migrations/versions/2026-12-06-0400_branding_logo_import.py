"""a logo imported from an https URL: its source, the import's status and error

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "company_branding", sa.Column("logo_source_url", sa.String(length=2000), nullable=True)
    )
    op.add_column("company_branding", sa.Column("logo_status", sa.String(length=10), nullable=True))
    op.add_column("company_branding", sa.Column("logo_error", sa.String(length=300), nullable=True))
    # the worker's sweep looks for imports whose wake-up was lost
    op.create_index(
        "ix_company_branding_logo_pending",
        "company_branding",
        ["updated_at"],
        postgresql_where=sa.text("logo_status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_company_branding_logo_pending", table_name="company_branding")
    op.drop_column("company_branding", "logo_error")
    op.drop_column("company_branding", "logo_status")
    op.drop_column("company_branding", "logo_source_url")
