"""deleted users stay as rows (deleted_at), their slug and email free again; emails unique
per company

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.add_column("user", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("uq_user_email_lower", table_name="user")
    op.create_index(
        "uq_user_email_per_company",
        "user",
        ["company_id", sa.literal_column("lower(email)")],
        unique=True,
        postgresql_where=LIVE,
    )
    op.drop_index("uq_user_slug", table_name="user")
    op.create_index("uq_user_slug", "user", ["slug"], unique=True, postgresql_where=LIVE)


def downgrade() -> None:
    # before this revision a deleted user was no row at all (its appointments went with it)
    op.execute('DELETE FROM "user" WHERE deleted_at IS NOT NULL')
    op.drop_index("uq_user_slug", table_name="user")
    op.create_index("uq_user_slug", "user", ["slug"], unique=True)
    # fails while two companies have a user with one email: that cannot go back
    op.drop_index("uq_user_email_per_company", table_name="user")
    op.create_index("uq_user_email_lower", "user", [sa.literal_column("lower(email)")], unique=True)
    op.drop_column("user", "deleted_at")
