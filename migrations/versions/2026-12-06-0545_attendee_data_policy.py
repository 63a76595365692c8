"""whether an attendee accepted the data policy (meetergo's attendee.dataPolicyAccepted)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 05:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("attendee", sa.Column("data_policy_accepted", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("attendee", "data_policy_accepted")
