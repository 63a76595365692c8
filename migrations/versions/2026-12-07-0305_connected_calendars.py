"""connected calendars: connections, their calendars, busy time copied in, and the outbox of
bookings written out

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 03:05:13.787037
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_connection",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "provider",
            sa.Enum("caldav", "ics", "google", "outlook", name="calendar_provider"),
            nullable=False,
        ),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("credentials", sa.Text(), nullable=False),
        sa.Column("home_url", sa.Text(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("connected", "error", name="calendar_connection_status"),
            nullable=False,
        ),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("error_notified", sa.Boolean(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sync_locked_until", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_calendar_connection_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_calendar_connection_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_calendar_connection")),
    )
    op.create_index(op.f("ix_calendar_connection_id"), "calendar_connection", ["id"], unique=False)
    op.create_index(
        "ix_calendar_connection_synced_at", "calendar_connection", ["synced_at"], unique=False
    )
    op.create_index(
        op.f("ix_calendar_connection_user_id"), "calendar_connection", ["user_id"], unique=False
    )
    op.create_table(
        "calendar",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("href", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("is_selected", sa.Boolean(), nullable=False),
        sa.Column("receives_bookings", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["company_id", "connection_id"],
            ["calendar_connection.company_id", "calendar_connection.id"],
            name="fk_calendar_connection",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_calendar_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_calendar")),
        sa.UniqueConstraint("company_id", "connection_id", "href", name="uq_calendar_href"),
    )
    op.create_index(op.f("ix_calendar_id"), "calendar", ["id"], unique=False)
    op.create_table(
        "calendar_busy",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("calendar_id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id", "calendar_id"],
            ["calendar.company_id", "calendar.id"],
            name="fk_calendar_busy_calendar",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_calendar_busy_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_calendar_busy")),
    )
    op.create_index(
        op.f("ix_calendar_busy_calendar_id"), "calendar_busy", ["calendar_id"], unique=False
    )
    op.create_index(
        "ix_calendar_busy_window",
        "calendar_busy",
        ["company_id", "connection_id", "start_at"],
        unique=False,
    )
    op.create_index(op.f("ix_calendar_busy_id"), "calendar_busy", ["id"], unique=False)
    op.create_table(
        "calendar_push",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("queued", "sending", "done", "failed", name="calendar_push_status"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("event_href", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            name="fk_calendar_push_appointment",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "connection_id"],
            ["calendar_connection.company_id", "calendar_connection.id"],
            name="fk_calendar_push_connection",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_calendar_push_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_calendar_push")),
        sa.UniqueConstraint(
            "company_id", "connection_id", "appointment_id", name="uq_calendar_push_appointment"
        ),
    )
    op.create_index(
        op.f("ix_calendar_push_appointment_id"), "calendar_push", ["appointment_id"], unique=False
    )
    op.create_index(
        op.f("ix_calendar_push_connection_id"), "calendar_push", ["connection_id"], unique=False
    )
    op.create_index(
        "ix_calendar_push_due",
        "calendar_push",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('queued', 'sending')"),
    )
    op.create_index(op.f("ix_calendar_push_id"), "calendar_push", ["id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_calendar_push_id"), table_name="calendar_push")
    op.drop_index(
        "ix_calendar_push_due",
        table_name="calendar_push",
        postgresql_where=sa.text("status IN ('queued', 'sending')"),
    )
    op.drop_index(op.f("ix_calendar_push_connection_id"), table_name="calendar_push")
    op.drop_index(op.f("ix_calendar_push_appointment_id"), table_name="calendar_push")
    op.drop_table("calendar_push")
    op.drop_index(op.f("ix_calendar_busy_id"), table_name="calendar_busy")
    op.drop_index("ix_calendar_busy_window", table_name="calendar_busy")
    op.drop_index(op.f("ix_calendar_busy_calendar_id"), table_name="calendar_busy")
    op.drop_table("calendar_busy")
    op.drop_index(op.f("ix_calendar_id"), table_name="calendar")
    op.drop_table("calendar")
    op.drop_index(op.f("ix_calendar_connection_user_id"), table_name="calendar_connection")
    op.drop_index("ix_calendar_connection_synced_at", table_name="calendar_connection")
    op.drop_index(op.f("ix_calendar_connection_id"), table_name="calendar_connection")
    op.drop_table("calendar_connection")
    for name in (
        "calendar_push_status",
        "calendar_connection_status",
        "calendar_provider",
    ):
        op.execute(f"DROP TYPE {name}")
