"""A change log for pollers: triggers record every create, update and delete of appointments,
meeting types, users and webhooks, with the writing transaction's id for a gapless cursor

Revision ID: 0028b
Revises: 0028a
Create Date: 2026-12-07 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028b"
down_revision: str | Sequence[str] | None = "0028a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: table -> (resource type in the feed, whether a set `deleted_at` means deleted)
TRACKED = {
    "appointment": ("appointment", False),
    "meeting_type": ("meetingType", True),
    "user": ("user", True),
    "webhook_endpoint": ("webhook", False),
}

RECORD_CHANGE = """
CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
    happened text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD;
        happened := 'deleted';
    ELSE
        changed := NEW;
        happened := CASE WHEN TG_OP = 'INSERT' THEN 'created' ELSE 'updated' END;
        IF TG_OP = 'UPDATE' AND TG_ARGV[1] = 'soft'
           AND (to_jsonb(NEW) ->> 'deleted_at') IS NOT NULL
           AND (to_jsonb(OLD) ->> 'deleted_at') IS NULL THEN
            happened := 'deleted';
        END IF;
    END IF;
    INSERT INTO change_log (company_id, xid, resource_type, resource_id, action)
    VALUES (changed.company_id, pg_current_xact_id()::text::bigint, TG_ARGV[0], changed.id,
            happened);
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("resource_type", sa.String(length=20), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("company_id", "seq", name=op.f("pk_change_log")),
    )
    op.create_index("ix_change_log_changed_at", "change_log", ["changed_at"], unique=False)
    op.execute(RECORD_CHANGE)
    for table, (kind, soft) in TRACKED.items():
        op.execute(
            f'CREATE TRIGGER record_change AFTER INSERT OR UPDATE OR DELETE ON "{table}"'
            f" FOR EACH ROW EXECUTE FUNCTION record_change('{kind}', '{'soft' if soft else 'hard'}')"
        )
    op.create_index(
        "ix_change_log_cursor", "change_log", ["company_id", "xid", "seq"], unique=False
    )


def downgrade() -> None:
    for table in TRACKED:
        op.execute(f'DROP TRIGGER record_change ON "{table}"')
    op.execute("DROP FUNCTION record_change()")
    op.drop_index("ix_change_log_cursor", table_name="change_log")
    op.drop_index("ix_change_log_changed_at", table_name="change_log")
    op.drop_table("change_log")
