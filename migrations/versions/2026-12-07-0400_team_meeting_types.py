"""team meeting types: queues, their members and groups, and the hosts of each appointment

Revision ID: 0029
Revises: 0028b
Create Date: 2026-12-07 06:19:17.868603
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0028b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOSTS_FUNCTION = """
CREATE FUNCTION appointment_hosts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO appointment_host (company_id, appointment_id, user_id, start_at, end_at, status)
        VALUES (NEW.company_id, NEW.id, NEW.host_user_id, NEW.start_at, NEW.end_at, NEW.status);
        RETURN NULL;
    END IF;
    IF NEW.host_user_id IS DISTINCT FROM OLD.host_user_id THEN
        UPDATE appointment_host SET user_id = NEW.host_user_id
        WHERE company_id = NEW.company_id AND appointment_id = NEW.id
          AND user_id = OLD.host_user_id;
    END IF;
    IF (NEW.start_at, NEW.end_at, NEW.status) IS DISTINCT FROM (OLD.start_at, OLD.end_at, OLD.status)
    THEN
        UPDATE appointment_host
        SET start_at = NEW.start_at, end_at = NEW.end_at, status = NEW.status
        WHERE company_id = NEW.company_id AND appointment_id = NEW.id;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "queue",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_type_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("max_lead_threshold", sa.Integer(), nullable=True),
        sa.Column("distribution_period", sa.String(length=10), nullable=False),
        sa.Column("prioritize_near_term", sa.Boolean(), nullable=False),
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
            ["company_id", "meeting_type_id"],
            ["meeting_type.company_id", "meeting_type.id"],
            name="fk_queue_meeting_type",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_queue_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_queue")),
        sa.UniqueConstraint(
            "company_id", "meeting_type_id", name=op.f("uq_queue_company_id_meeting_type_id")
        ),
    )
    op.create_index(op.f("ix_queue_id"), "queue", ["id"], unique=False)
    op.create_table(
        "appointment_host",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            postgresql.ENUM(name="appointment_status", create_type=False),
            nullable=False,
        ),
        postgresql.ExcludeConstraint(
            (sa.column("company_id"), "="),
            (sa.column("user_id"), "="),
            (sa.text("tstzrange(start_at, end_at, '[)')"), "&&"),
            where=sa.text("status IN ('confirmed', 'pending')"),
            using="gist",
            name="ex_appointment_host_busy",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            name="fk_appointment_host_appointment",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_appointment_host_user",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "company_id", "appointment_id", "user_id", name=op.f("pk_appointment_host")
        ),
    )
    op.create_index(
        "ix_appointment_host_user_start",
        "appointment_host",
        ["company_id", "user_id", "start_at"],
        unique=False,
    )
    op.create_table(
        "queue_member",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("queue_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "queue_id"],
            ["queue.company_id", "queue.id"],
            name="fk_queue_member_queue",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_queue_member_user",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["company.id"], name="fk_queue_member_company", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("company_id", "queue_id", "user_id", name=op.f("pk_queue_member")),
    )
    op.create_table(
        "queue_user_group",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("queue_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("user_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("main_group_host_id", sa.Uuid(), nullable=True),
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
            ["company_id", "queue_id"],
            ["queue.company_id", "queue.id"],
            name="fk_queue_user_group_queue",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_queue_user_group_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "id", name=op.f("pk_queue_user_group")),
    )
    op.create_index(op.f("ix_queue_user_group_id"), "queue_user_group", ["id"], unique=False)
    op.create_index(
        op.f("ix_queue_user_group_queue_id"), "queue_user_group", ["queue_id"], unique=False
    )
    op.add_column(
        "appointment",
        sa.Column("queue_info", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column("meeting_type", sa.Column("queue_id", sa.Uuid(), nullable=True))
    op.add_column(
        "meeting_type", sa.Column("calculation_method", sa.String(length=10), nullable=True)
    )
    # every appointment's primary host has a row, in step with the appointment's time and status
    op.execute(HOSTS_FUNCTION)
    op.execute(
        "CREATE TRIGGER appointment_hosts AFTER INSERT OR UPDATE OF host_user_id, start_at, "
        "end_at, status ON appointment FOR EACH ROW EXECUTE FUNCTION appointment_hosts()"
    )
    op.execute(
        "INSERT INTO appointment_host (company_id, appointment_id, user_id, start_at, end_at, "
        "status) SELECT company_id, id, host_user_id, start_at, end_at, status FROM appointment"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER appointment_hosts ON appointment")
    op.execute("DROP FUNCTION appointment_hosts()")
    op.drop_column("meeting_type", "calculation_method")
    op.drop_column("meeting_type", "queue_id")
    op.drop_column("appointment", "queue_info")
    op.drop_index(op.f("ix_queue_user_group_queue_id"), table_name="queue_user_group")
    op.drop_index(op.f("ix_queue_user_group_id"), table_name="queue_user_group")
    op.drop_table("queue_user_group")
    op.drop_table("queue_member")
    op.drop_index("ix_appointment_host_user_start", table_name="appointment_host")
    op.drop_table("appointment_host")
    op.drop_index(op.f("ix_queue_id"), table_name="queue")
    op.drop_table("queue")
