"""initial schema: extensions the schema relies on

Revision ID: 0001
Revises:
Create Date: 2026-11-21 05:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # btree_gist lets one exclusion constraint combine "same host" (=) with "overlapping time" (&&).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")


def downgrade() -> None:
    op.execute("DROP EXTENSION IF EXISTS btree_gist")
