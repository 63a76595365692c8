"""an uploaded logo in the company branding

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 03:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("company_branding", sa.Column("logo", sa.LargeBinary(), nullable=True))
    op.add_column("company_branding", sa.Column("logo_type", sa.String(length=40), nullable=True))
    op.add_column(
        "company_branding", sa.Column("logo_version", sa.String(length=16), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("company_branding", "logo_version")
    op.drop_column("company_branding", "logo_type")
    op.drop_column("company_branding", "logo")
