"""idempotency records keep a digest of the key, and answers carrying a secret sealed

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 06:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("idempotency_record", "key", new_column_name="key_digest")
    # the stored records keep answering: their keys become the digests the lookup now uses
    op.execute(
        "UPDATE idempotency_record"
        " SET key_digest = encode(sha256(convert_to(key_digest, 'UTF8')), 'hex')"
    )
    op.alter_column(
        "idempotency_record",
        "key_digest",
        type_=sa.String(length=64),
        existing_type=sa.String(length=255),
        existing_nullable=False,
    )
    op.execute(
        "ALTER TABLE idempotency_record RENAME CONSTRAINT "
        "uq_idempotency_record_company_id_credential_id_key "
        "TO uq_idempotency_record_company_id_credential_id_key_digest"
    )
    op.add_column(
        "idempotency_record",
        sa.Column("sealed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    # keys cannot be recovered from their digests, nor sealed answers read without them: the
    # records (a 24-hour replay cache) go; a retry then runs its work again
    op.execute("DELETE FROM idempotency_record")
    op.drop_column("idempotency_record", "sealed")
    op.execute(
        "ALTER TABLE idempotency_record RENAME CONSTRAINT "
        "uq_idempotency_record_company_id_credential_id_key_digest "
        "TO uq_idempotency_record_company_id_credential_id_key"
    )
    op.alter_column(
        "idempotency_record",
        "key_digest",
        new_column_name="key",
        type_=sa.String(length=255),
        existing_type=sa.String(length=64),
        existing_nullable=False,
    )
