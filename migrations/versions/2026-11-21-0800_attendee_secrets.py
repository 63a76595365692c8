"""attendee secrets: every attendee of a group appointment gets their own invitee secret

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("attendee", sa.Column("secret_hash", sa.String(length=64), nullable=True))
    # existing attendees keep using their appointment's secret
    op.execute(
        "UPDATE attendee SET secret_hash = appointment.secret_hash FROM appointment "
        "WHERE appointment.company_id = attendee.company_id "
        "AND appointment.id = attendee.appointment_id AND appointment.status <> 'pending'"
    )


def downgrade() -> None:
    op.drop_column("attendee", "secret_hash")
