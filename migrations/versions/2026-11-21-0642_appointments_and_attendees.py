"""appointments and attendees; no two blocking appointments of one host overlap

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 06:42:18.466095
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "appointment",
        sa.Column("meeting_type_id", sa.Uuid(), nullable=False),
        sa.Column("host_user_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "confirmed",
                "pending",
                "cancelled",
                "declined",
                "expired",
                name="appointment_status",
            ),
            nullable=False,
        ),
        sa.Column("buffer_before", sa.Integer(), nullable=False),
        sa.Column("buffer_after", sa.Integer(), nullable=False),
        sa.Column("total_spots", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=True),
        sa.Column("location", sa.String(length=2000), nullable=True),
        sa.Column("meeting_info", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("booking_type", sa.String(length=40), nullable=True),
        sa.Column("request", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("rescheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reschedule_count", sa.Integer(), nullable=False),
        sa.Column("ics_sequence", sa.Integer(), nullable=False),
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
        postgresql.ExcludeConstraint(
            (sa.column("host_user_id"), "="),
            (sa.text("tstzrange(start_at, end_at, '[)')"), "&&"),
            where=sa.text("status IN ('confirmed', 'pending')"),
            using="gist",
            name="ex_appointment_host_overlap",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "host_user_id"],
            ["user.company_id", "user.id"],
            name="fk_appointment_host",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "meeting_type_id"],
            ["meeting_type.company_id", "meeting_type.id"],
            name="fk_appointment_meeting_type",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_appointment_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
        sa.UniqueConstraint("company_id", "id", name=op.f("uq_appointment_company_id_id")),
    )
    op.create_index(op.f("ix_appointment_company_id"), "appointment", ["company_id"], unique=False)
    op.create_index(
        "ix_appointment_host_start", "appointment", ["host_user_id", "start_at"], unique=False
    )
    op.create_index(
        op.f("ix_appointment_meeting_type_id"), "appointment", ["meeting_type_id"], unique=False
    )
    op.create_table(
        "attendee",
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("firstname", sa.String(length=100), nullable=False),
        sa.Column("lastname", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("receive_reminders", sa.Boolean(), nullable=False),
        sa.Column("notes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("custom_field_values", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            name="fk_attendee_appointment",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_attendee_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendee")),
    )
    op.create_index(
        op.f("ix_attendee_appointment_id"), "attendee", ["appointment_id"], unique=False
    )
    op.create_index(op.f("ix_attendee_company_id"), "attendee", ["company_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_attendee_company_id"), table_name="attendee")
    op.drop_index(op.f("ix_attendee_appointment_id"), table_name="attendee")
    op.drop_table("attendee")
    op.drop_index(op.f("ix_appointment_meeting_type_id"), table_name="appointment")
    op.drop_index("ix_appointment_host_start", table_name="appointment")
    op.drop_index(op.f("ix_appointment_company_id"), table_name="appointment")
    op.drop_table("appointment")
    op.execute("DROP TYPE IF EXISTS appointment_status")
