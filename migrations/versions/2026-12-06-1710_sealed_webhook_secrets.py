"""webhook signing secrets are stored sealed: the columns grow to hold a sealed value

Rows already stored keep their plain secrets: sealing needs SLOTWISE_SECRET_KEYS, which a
migration is not given. The app reads an unsealed value as plain text, and
`slotwise secrets rotate` seals every such value under the newest key.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("secret", "previous_secret")


def upgrade() -> None:
    for column in COLUMNS:
        op.alter_column(
            "webhook_endpoint",
            column,
            type_=sa.String(length=255),
            existing_type=sa.String(length=100),
            existing_nullable=column == "previous_secret",
        )


def downgrade() -> None:
    # the older code reads secrets as plain text, and there is no key here to open sealed ones
    sealed = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT count(*) FROM webhook_endpoint"
                " WHERE secret LIKE 'sealed:%' OR previous_secret LIKE 'sealed:%'"
            )
        )
        .scalar_one()
    )
    if sealed:
        raise RuntimeError(
            f"{sealed} webhook endpoints hold sealed secrets, which the older schema cannot"
            " use: delete those endpoints first, or stay on this revision"
        )
    for column in COLUMNS:
        op.alter_column(
            "webhook_endpoint",
            column,
            type_=sa.String(length=100),
            existing_type=sa.String(length=255),
            existing_nullable=column == "previous_secret",
        )
