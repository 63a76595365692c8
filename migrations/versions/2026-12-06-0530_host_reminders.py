"""reminders to hosts and the link host mails carry, per company

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "company_notification_settings",
        sa.Column("host_reminders", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column(
        "company_notification_settings",
        sa.Column("host_appointment_url", sa.String(length=2000), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("company_notification_settings", "host_appointment_url")
    op.drop_column("company_notification_settings", "host_reminders")
