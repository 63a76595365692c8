"""mail notifications (the outbox), company notification settings, reminders per meeting type

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
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
STATUSES = ("queued", "sending", "sent", "failed", "skipped")


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("attendee_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.Enum(*KINDS, name="notification_kind"), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="notification_status"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("context", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_notification_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            name="fk_notification_appointment",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index(op.f("ix_notification_company_id"), "notification", ["company_id"])
    op.create_index(op.f("ix_notification_appointment_id"), "notification", ["appointment_id"])
    op.create_index(
        "ix_notification_due",
        "notification",
        ["next_attempt_at"],
        postgresql_where=sa.text("status IN ('queued', 'sending')"),
    )
    op.create_table(
        "company_notification_settings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("host_emails", sa.Boolean(), nullable=False),
        sa.Column("attendee_emails", sa.Boolean(), nullable=False),
        sa.Column("reminder_defaults", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_company_notification_settings_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_notification_settings")),
        sa.UniqueConstraint("company_id", name=op.f("uq_company_notification_settings_company_id")),
    )
    op.create_index(
        op.f("ix_company_notification_settings_company_id"),
        "company_notification_settings",
        ["company_id"],
    )
    op.add_column(
        "appointment",
        sa.Column(
            "skip_notifications", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.add_column(
        "meeting_type",
        sa.Column("reminders", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("meeting_type", "reminders")
    op.drop_column("appointment", "skip_notifications")
    op.drop_table("company_notification_settings")
    op.drop_table("notification")
    op.execute("DROP TYPE notification_status")
    op.execute("DROP TYPE notification_kind")
