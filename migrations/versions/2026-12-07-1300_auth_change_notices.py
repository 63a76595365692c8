"""Notices of changes that can end a credential: PostgreSQL tells every listening process when a
credential, its lookup id or a user it may act as changes, so processes may keep credentials
they read

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: what authentication reads of each table (`db.unscoped.find_credential`); a change to any of
#: these can end or change what a credential may do
_CREDENTIAL_COLUMNS = (
    "lookup_id",
    "kind",
    "secret_hash",
    "scopes",
    "user_id",
    "active",
    "expires_at",
    "revoked_at",
)
_USER_COLUMNS = ("role", "deleted_at")
#: each watched table with the columns whose update is announced (none named: every update)
_WATCHED = (
    ("credential", _CREDENTIAL_COLUMNS),
    ("credential_lookup", ()),
    ('"user"', _USER_COLUMNS),
)


def _changed(columns: Sequence[str]) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- one notice per company and transaction (PostgreSQL folds equal payloads)
            PERFORM pg_notify('slotwise_auth',
                              CASE WHEN TG_LEVEL = 'ROW' THEN OLD.company_id::text ELSE '' END);
            RETURN NULL;
        END
        $$
        """
    )
    for table, columns in _WATCHED:
        name = table.strip('"')
        when = f" WHEN ({_changed(columns)})" if columns else ""
        op.execute(
            f"CREATE TRIGGER {name}_auth_update AFTER UPDATE ON {table} FOR EACH ROW{when}"
            " EXECUTE FUNCTION notify_auth_change()"
        )
        op.execute(
            f"CREATE TRIGGER {name}_auth_delete AFTER DELETE ON {table} FOR EACH ROW"
            " EXECUTE FUNCTION notify_auth_change()"
        )
        op.execute(
            f"CREATE TRIGGER {name}_auth_truncate AFTER TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change()"
        )


def downgrade() -> None:
    for table, _ in _WATCHED:
        name = table.strip('"')
        for kind in ("update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}_auth_{kind} ON {table}")
    op.execute("DROP FUNCTION notify_auth_change()")
