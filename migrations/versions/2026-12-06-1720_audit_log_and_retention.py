"""audit log (never updated; deleted only by the retention job) and indexes for retention

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: entries are never changed; they are deleted (or truncated) only by a transaction that set
#: `slotwise.audit_purge` to `on` locally: the retention job's
GUARD = """
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' AND current_setting('slotwise.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit log entries cannot be changed (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=True),
        sa.Column("credential_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name=op.f("fk_audit_log_company_id_company"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_company_id"), "audit_log", ["company_id"])
    op.create_index("ix_audit_log_company_created", "audit_log", ["company_id", "created_at", "id"])
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])
    op.execute(GUARD)
    op.execute(
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION audit_log_guard()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard()"
    )
    # roles other than the owner (read-only reporting, support) may read and add, never change
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC")
    op.create_index(
        "ix_webhook_delivery_finished",
        "webhook_delivery",
        ["updated_at"],
        postgresql_where=sa.text("status IN ('delivered', 'failed')"),
    )
    op.create_index(
        "ix_notification_finished",
        "notification",
        ["updated_at"],
        postgresql_where=sa.text("status IN ('sent', 'failed', 'skipped')"),
    )


def downgrade() -> None:
    op.drop_index("ix_notification_finished", table_name="notification")
    op.drop_index("ix_webhook_delivery_finished", table_name="webhook_delivery")
    op.drop_table("audit_log")
    op.execute("DROP FUNCTION audit_log_guard()")
