"""schedule versions bumped by triggers, for the slot response cache

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Hosts are locked in id order, so two transactions bumping the same hosts cannot deadlock.
BUMP = """
CREATE FUNCTION bump_schedule_version(hosts uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO schedule_version (user_id, version)
    SELECT DISTINCT host, 1 FROM unnest(hosts) AS host WHERE host IS NOT NULL ORDER BY host
    ON CONFLICT (user_id) DO UPDATE SET version = schedule_version.version + 1
$$
"""

# table -> the hosts whose slots a changed row ({r} = NEW or OLD) can affect
HOSTS = {
    "appointment": "ARRAY[{r}.host_user_id]",
    "attendee": "ARRAY(SELECT a.host_user_id FROM appointment a WHERE a.id = {r}.appointment_id)",
    "meeting_type": "ARRAY[{r}.user_id]",
    "availability": (
        "ARRAY(SELECT m.user_id FROM meeting_type m WHERE m.availability_id = {r}.id)"
        " || {r}.user_id"
    ),
    "availability_exception": (
        "ARRAY(SELECT m.user_id FROM meeting_type m WHERE m.availability_id = {r}.availability_id"
        " UNION SELECT v.user_id FROM availability v WHERE v.id = {r}.availability_id)"
    ),
}


def _trigger_function(table: str, hosts: str) -> str:
    old, new = hosts.format(r="OLD"), hosts.format(r="NEW")
    return f"""
CREATE FUNCTION schedule_changed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_schedule_version({new});
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_schedule_version({old});
    ELSE
        PERFORM bump_schedule_version({old} || {new});
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "schedule_version",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_schedule_version")),
    )
    op.execute(BUMP)
    for table, hosts in HOSTS.items():
        op.execute(_trigger_function(table, hosts))
        op.execute(
            f"CREATE TRIGGER schedule_changed AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION schedule_changed_{table}()"
        )


def downgrade() -> None:
    for table in HOSTS:
        op.execute(f"DROP TRIGGER schedule_changed ON {table}")
        op.execute(f"DROP FUNCTION schedule_changed_{table}()")
    op.execute("DROP FUNCTION bump_schedule_version(uuid[])")
    op.drop_table("schedule_version")
