"""One-time booking links: a secret URL that books one of a meeting type's slots once

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "one_time_link",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_type_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id", "meeting_type_id"],
            ["meeting_type.company_id", "meeting_type.id"],
            name="fk_one_time_link_meeting_type",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_one_time_link_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_one_time_link")),
    )
    op.create_index(op.f("ix_one_time_link_id"), "one_time_link", ["id"], unique=False)
    op.create_index("ix_one_time_link_token_hash", "one_time_link", ["token_hash"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_one_time_link_token_hash", table_name="one_time_link")
    op.drop_index(op.f("ix_one_time_link_id"), table_name="one_time_link")
    op.drop_table("one_time_link")
