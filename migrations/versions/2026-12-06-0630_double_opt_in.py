"""double opt-in: the hashed token of the attendee's confirm link, and its mail

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-06 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "booking_confirmed",
    "booking_requested",
    "booking_declined",
    "booking_cancelled",
    "booking_rescheduled",
    "booking_reminder",
    "host_booking_created",
    "host_confirmation_requested",
    "host_booking_cancelled",
    "host_booking_rescheduled",
    "host_booking_reminder",
)


def upgrade() -> None:
    op.add_column("appointment", sa.Column("opt_in_hash", sa.String(length=64), nullable=True))
    op.execute("ALTER TYPE notification_kind ADD VALUE IF NOT EXISTS 'booking_opt_in'")


def downgrade() -> None:
    # PostgreSQL cannot drop one value of an enum: the type is built again without it
    op.execute("DELETE FROM notification WHERE kind = 'booking_opt_in'")
    op.execute("ALTER TYPE notification_kind RENAME TO notification_kind_old")
    sa.Enum(*KINDS, name="notification_kind").create(op.get_bind())
    op.execute(
        "ALTER TABLE notification ALTER COLUMN kind TYPE notification_kind "
        "USING kind::text::notification_kind"
    )
    op.execute("DROP TYPE notification_kind_old")
    op.drop_column("appointment", "opt_in_hash")
