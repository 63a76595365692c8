"""Private calendar feeds: one secret iCalendar subscription URL per user

Revision ID: 0028a
Revises: 0028
Create Date: 2026-12-07 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028a"
down_revision: str | Sequence[str] | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_calendar_feed_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_calendar_feed_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_calendar_feed")),
    )
    op.create_index(op.f("ix_calendar_feed_id"), "calendar_feed", ["id"], unique=False)
    op.create_index(
        "uq_calendar_feed_user", "calendar_feed", ["company_id", "user_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_calendar_feed_user", table_name="calendar_feed")
    op.drop_index(op.f("ix_calendar_feed_id"), table_name="calendar_feed")
    op.drop_table("calendar_feed")
