"""availability, exceptions, meeting types and idempotency records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 06:22:59.635546
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_idempotency_record_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint(
            "company_id",
            "credential_id",
            "key",
            name=op.f("uq_idempotency_record_company_id_credential_id_key"),
        ),
    )
    op.create_index(
        op.f("ix_idempotency_record_company_id"), "idempotency_record", ["company_id"], unique=False
    )
    op.create_index(
        op.f("ix_idempotency_record_expires_at"), "idempotency_record", ["expires_at"], unique=False
    )
    op.create_table(
        "availability",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("schedule", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_availability_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_availability_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability")),
        sa.UniqueConstraint("company_id", "id", name=op.f("uq_availability_company_id_id")),
    )
    op.create_index(
        op.f("ix_availability_company_id"), "availability", ["company_id"], unique=False
    )
    op.create_index(op.f("ix_availability_user_id"), "availability", ["user_id"], unique=False)
    op.create_index(
        "uq_availability_one_default_per_user",
        "availability",
        ["user_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "availability_exception",
        sa.Column("availability_id", sa.Uuid(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("holiday_key", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id", "availability_id"],
            ["availability.company_id", "availability.id"],
            name="fk_availability_exception_availability",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_availability_exception_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_exception")),
        sa.UniqueConstraint(
            "availability_id",
            "holiday_key",
            name=op.f("uq_availability_exception_availability_id_holiday_key"),
        ),
    )
    op.create_index(
        op.f("ix_availability_exception_availability_id"),
        "availability_exception",
        ["availability_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_availability_exception_company_id"),
        "availability_exception",
        ["company_id"],
        unique=False,
    )
    op.create_table(
        "meeting_type",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("availability_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=5000), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("custom_channel_name", sa.String(length=200), nullable=True),
        sa.Column("custom_channel_link", sa.String(length=2000), nullable=True),
        sa.Column("buffer_before", sa.Integer(), nullable=False),
        sa.Column("buffer_after", sa.Integer(), nullable=False),
        sa.Column("color", sa.String(length=40), nullable=True),
        sa.Column("timeslot_interval", sa.Integer(), nullable=True),
        sa.Column("booking_minimum", sa.Integer(), nullable=False),
        sa.Column("days_into_future", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("spots", sa.Integer(), nullable=False),
        sa.Column("meeting_options", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("metadata", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("locations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("custom_fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id", "availability_id"],
            ["availability.company_id", "availability.id"],
            name="fk_meeting_type_availability",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_meeting_type_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_meeting_type_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_type")),
        sa.UniqueConstraint("company_id", "id", name=op.f("uq_meeting_type_company_id_id")),
    )
    op.create_index(
        op.f("ix_meeting_type_availability_id"), "meeting_type", ["availability_id"], unique=False
    )
    op.create_index(
        op.f("ix_meeting_type_company_id"), "meeting_type", ["company_id"], unique=False
    )
    op.create_index(op.f("ix_meeting_type_user_id"), "meeting_type", ["user_id"], unique=False)
    op.create_index(
        "uq_meeting_type_slug_per_user",
        "meeting_type",
        ["user_id", "slug"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_meeting_type_slug_per_user",
        table_name="meeting_type",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(op.f("ix_meeting_type_user_id"), table_name="meeting_type")
    op.drop_index(op.f("ix_meeting_type_company_id"), table_name="meeting_type")
    op.drop_index(op.f("ix_meeting_type_availability_id"), table_name="meeting_type")
    op.drop_table("meeting_type")
    op.drop_index(op.f("ix_availability_exception_company_id"), table_name="availability_exception")
    op.drop_index(
        op.f("ix_availability_exception_availability_id"), table_name="availability_exception"
    )
    op.drop_table("availability_exception")
    op.drop_index(
        "uq_availability_one_default_per_user",
        table_name="availability",
        postgresql_where=sa.text("is_default"),
    )
    op.drop_index(op.f("ix_availability_user_id"), table_name="availability")
    op.drop_index(op.f("ix_availability_company_id"), table_name="availability")
    op.drop_table("availability")
    op.drop_index(op.f("ix_idempotency_record_expires_at"), table_name="idempotency_record")
    op.drop_index(op.f("ix_idempotency_record_company_id"), table_name="idempotency_record")
    op.drop_table("idempotency_record")
