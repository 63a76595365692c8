"""index webhook events by time, for the retention job that drops events left without deliveries

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 17:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_webhook_event_occurred_at", "webhook_event", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_event_occurred_at", table_name="webhook_event")
