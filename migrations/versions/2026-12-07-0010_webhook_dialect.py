"""Meetario webhooks: an endpoint's payload format and TLS check, and when an appointment was
announced as completed

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FORMAT = sa.Enum("meetergo", "meetario", name="webhook_payload_format")


def upgrade() -> None:
    FORMAT.create(op.get_bind())
    op.add_column(
        "webhook_endpoint",
        sa.Column("payload_format", FORMAT, nullable=False, server_default="meetergo"),
    )
    op.add_column(
        "webhook_endpoint",
        sa.Column("verify_ssl", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("appointment", sa.Column("completed_at", sa.DateTime(timezone=True)))
    # appointments that ended before this revision are not announced again
    op.execute(
        "UPDATE appointment SET completed_at = end_at"
        " WHERE status = 'confirmed' AND end_at <= now()"
    )
    op.create_index(
        "ix_appointment_to_complete",
        "appointment",
        ["end_at"],
        postgresql_where=sa.text("status = 'confirmed' AND completed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_appointment_to_complete", table_name="appointment")
    op.drop_column("appointment", "completed_at")
    op.drop_column("webhook_endpoint", "verify_ssl")
    op.drop_column("webhook_endpoint", "payload_format")
    FORMAT.drop(op.get_bind())
