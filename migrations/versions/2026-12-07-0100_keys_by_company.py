"""Every tenant table is keyed by company: primary keys `(company_id, id)`, unique and exclusion
constraints with `company_id`, schedule versions per company, and the two platform-wide
uniquenesses (credential lookup ids, live user slugs) in global lookup tables, so the schema can
be distributed by `company_id`

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TENANT_TABLES = (
    "appointment",
    "attendee",
    "audit_log",
    "availability",
    "availability_exception",
    "company_branding",
    "company_notification_settings",
    "company_rate_limit",
    "credential",
    "idempotency_record",
    "meeting_type",
    "notification",
    "personal_page",
    "user",
    "webhook_attempt",
    "webhook_audit",
    "webhook_delivery",
    "webhook_endpoint",
    "webhook_event",
)
#: the tables whose `(company_id, id)` unique constraint the foreign keys referred to; the
#: primary key takes its place
REFERRED = (
    "appointment",
    "availability",
    "meeting_type",
    "user",
    "webhook_delivery",
    "webhook_endpoint",
    "webhook_event",
)
NUMBERED = ("appointment", "meeting_type", "user", "webhook_delivery", "webhook_endpoint")

#: (table, old name, old columns, new name, new columns) of the unique constraints widened
UNIQUE = (
    ("webhook_event", "uq_webhook_event_msg_id", "msg_id", "uq_webhook_event_company_id_msg_id",
     "company_id, msg_id"),
    ("availability_exception", "uq_availability_exception_availability_id_holiday_key",
     "availability_id, holiday_key", "uq_availability_exception_holiday_key",
     "company_id, availability_id, holiday_key"),
    ("webhook_attempt", "uq_webhook_attempt_delivery_id_attempt", "delivery_id, attempt",
     "uq_webhook_attempt_company_id_delivery_id_attempt", "company_id, delivery_id, attempt"),
)  # fmt: skip

#: (name, table, old columns, new columns, predicate) of the unique indexes widened
UNIQUE_INDEXES = (
    ("uq_availability_one_default_per_user", "availability", "user_id", "company_id, user_id",
     "is_default"),
    ("uq_credential_pat_name_per_user", "credential", "user_id, name", "company_id, user_id, name",
     "kind = 'pat' AND revoked_at IS NULL"),
    ("uq_meeting_type_slug_per_user", "meeting_type", "user_id, slug", "company_id, user_id, slug",
     "deleted_at IS NULL"),
    ("uq_credential_lookup_id", "credential", "lookup_id", "company_id, lookup_id", None),
)  # fmt: skip

OVERLAP = (
    "ALTER TABLE appointment ADD CONSTRAINT ex_appointment_host_overlap EXCLUDE USING gist"
    " ({company}host_user_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)"
    " WHERE (status IN ('confirmed', 'pending'))"
)

# schedule versions: as revision 0009 made them, with the host's company passed along
BUMP = """
CREATE FUNCTION bump_schedule_version(company uuid, hosts uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO schedule_version (company_id, user_id, version)
    SELECT DISTINCT company, host, 1 FROM unnest(hosts) AS host WHERE host IS NOT NULL ORDER BY host
    ON CONFLICT (company_id, user_id) DO UPDATE SET version = schedule_version.version + 1
$$
"""
OLD_BUMP = """
CREATE FUNCTION bump_schedule_version(hosts uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO schedule_version (user_id, version)
    SELECT DISTINCT host, 1 FROM unnest(hosts) AS host WHERE host IS NOT NULL ORDER BY host
    ON CONFLICT (user_id) DO UPDATE SET version = schedule_version.version + 1
$$
"""
HOSTS = {
    "appointment": "ARRAY[{r}.host_user_id]",
    "attendee": (
        "ARRAY(SELECT a.host_user_id FROM appointment a"
        " WHERE a.company_id = {r}.company_id AND a.id = {r}.appointment_id)"
    ),
    "meeting_type": "ARRAY[{r}.user_id]",
    "availability": (
        "ARRAY(SELECT m.user_id FROM meeting_type m"
        " WHERE m.company_id = {r}.company_id AND m.availability_id = {r}.id)"
        " || {r}.user_id"
    ),
    "availability_exception": (
        "ARRAY(SELECT m.user_id FROM meeting_type m"
        " WHERE m.company_id = {r}.company_id AND m.availability_id = {r}.availability_id"
        " UNION SELECT v.user_id FROM availability v"
        " WHERE v.company_id = {r}.company_id AND v.id = {r}.availability_id)"
    ),
}
OLD_HOSTS = {
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


def _trigger_function(table: str, hosts: str, company: bool) -> str:
    args = (lambda r: f"{r}.company_id, ") if company else (lambda r: "")
    old, new = hosts.format(r="OLD"), hosts.format(r="NEW")
    return f"""
CREATE OR REPLACE FUNCTION schedule_changed_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM bump_schedule_version({args("NEW")}{new});
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_schedule_version({args("OLD")}{old});
    ELSIF OLD.company_id = NEW.company_id THEN
        PERFORM bump_schedule_version({args("NEW")}{old} || {new});
    ELSE
        PERFORM bump_schedule_version({args("OLD")}{old});
        PERFORM bump_schedule_version({args("NEW")}{new});
    END IF;
    RETURN NULL;
END
$$
"""


def _quoted(table: str) -> str:
    return f'"{table}"'


def _foreign_keys_to(tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of every foreign key that refers to one of `tables`."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND confrelid::regclass::text = ANY(:t)"
            " ORDER BY conrelid::regclass::text, conname"
        ),
        {"t": [_quoted(t) if t == "user" else t for t in tables]},
    )
    return [(row[0], row[1], row[2]) for row in rows]


def _swap_keys(primary: str, referred_unique: bool) -> None:
    """Every tenant table's primary key becomes `primary`; the foreign keys between tenant
    tables are dropped meanwhile and made again, on whichever unique index now fits."""
    foreign = _foreign_keys_to(REFERRED)
    for table, name, _ in foreign:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for table in TENANT_TABLES:
        quoted = _quoted(table)
        op.execute(
            f"ALTER TABLE {quoted} DROP CONSTRAINT pk_{table},"
            f" ADD CONSTRAINT pk_{table} PRIMARY KEY ({primary})"
        )
        if table in REFERRED:
            if referred_unique:
                op.execute(
                    f"ALTER TABLE {quoted} ADD CONSTRAINT uq_{table}_company_id_id"
                    " UNIQUE (company_id, id)"
                )
            else:
                op.execute(f"ALTER TABLE {quoted} DROP CONSTRAINT uq_{table}_company_id_id")
    for table, name, definition in foreign:
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def upgrade() -> None:
    _swap_keys("company_id, id", referred_unique=False)
    for table in TENANT_TABLES:
        # the primary key leads with company_id; the workers' lookups by id alone keep an index
        op.drop_index(f"ix_{table}_company_id", table_name=table)
        op.create_index(f"ix_{table}_id", table, ["id"])
    # numbers and message ids stay unique platform-wide by how they are made (an identity, a
    # UUIDv7); unique per company is what lookups, always inside one company, rely on
    for table in NUMBERED:
        op.drop_constraint(f"uq_{table}_number", table)
        op.create_unique_constraint(
            f"uq_{table}_company_id_number", table, ["company_id", "number"]
        )
    for table, old, _, new, columns in UNIQUE:
        op.drop_constraint(old, table)
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {new} UNIQUE ({columns})")
    for name, table, _, columns, where in UNIQUE_INDEXES:
        op.drop_index(name, table_name=table)
        predicate = f" WHERE {where}" if where else ""
        op.execute(f"CREATE UNIQUE INDEX {name} ON {table} ({columns}){predicate}")
    op.drop_constraint("ex_appointment_host_overlap", "appointment")
    op.execute(OVERLAP.format(company="company_id WITH =, "))

    op.create_table(
        "credential_lookup",
        sa.Column("lookup_id", sa.String(64), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name="fk_credential_lookup_company_id_company",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lookup_id", name="pk_credential_lookup"),
    )
    op.create_index("ix_credential_lookup_company_id", "credential_lookup", ["company_id"])
    op.execute(
        "INSERT INTO credential_lookup (lookup_id, company_id, credential_id)"
        " SELECT lookup_id, company_id, id FROM credential"
    )
    op.create_table(
        "user_slug",
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["company.id"],
            name="fk_user_slug_company_id_company",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name="pk_user_slug"),
        sa.UniqueConstraint("user_id", name="uq_user_slug_user_id"),
    )
    op.create_index("ix_user_slug_company_id", "user_slug", ["company_id"])
    op.execute(
        'INSERT INTO user_slug (slug, company_id, user_id) SELECT slug, company_id, id FROM "user"'
        " WHERE deleted_at IS NULL"
    )
    op.drop_index("uq_user_slug", table_name="user")

    op.add_column("schedule_version", sa.Column("company_id", sa.Uuid()))
    op.execute(
        'UPDATE schedule_version v SET company_id = u.company_id FROM "user" u WHERE u.id = v.user_id'
    )
    op.execute("DELETE FROM schedule_version WHERE company_id IS NULL")  # hosts long gone
    op.alter_column("schedule_version", "company_id", nullable=False)
    op.execute(
        "ALTER TABLE schedule_version DROP CONSTRAINT pk_schedule_version,"
        " ADD CONSTRAINT pk_schedule_version PRIMARY KEY (company_id, user_id)"
    )
    op.execute(BUMP)
    for table, hosts in HOSTS.items():
        op.execute(_trigger_function(table, hosts, company=True))
    op.execute("DROP FUNCTION bump_schedule_version(uuid[])")


def downgrade() -> None:
    op.execute(OLD_BUMP)
    for table, hosts in OLD_HOSTS.items():
        op.execute(_trigger_function(table, hosts, company=False))
    op.execute("DROP FUNCTION bump_schedule_version(uuid, uuid[])")
    # one row per host again: a host's versions under two companies cannot happen (a user
    # belongs to one company), so the key simply narrows
    op.execute(
        "ALTER TABLE schedule_version DROP CONSTRAINT pk_schedule_version,"
        " ADD CONSTRAINT pk_schedule_version PRIMARY KEY (user_id)"
    )
    op.drop_column("schedule_version", "company_id")

    op.execute('CREATE UNIQUE INDEX uq_user_slug ON "user" (slug) WHERE deleted_at IS NULL')
    op.drop_table("user_slug")
    op.drop_table("credential_lookup")

    op.drop_constraint("ex_appointment_host_overlap", "appointment")
    op.execute(OVERLAP.format(company=""))
    for name, table, columns, _, where in UNIQUE_INDEXES:
        op.drop_index(name, table_name=table)
        predicate = f" WHERE {where}" if where else ""
        op.execute(f"CREATE UNIQUE INDEX {name} ON {table} ({columns}){predicate}")
    for table, old, columns, new, _ in UNIQUE:
        op.drop_constraint(new, table)
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {old} UNIQUE ({columns})")
    for table in NUMBERED:
        op.drop_constraint(f"uq_{table}_company_id_number", table)
        op.create_unique_constraint(f"uq_{table}_number", table, ["number"])
    for table in TENANT_TABLES:
        op.drop_index(f"ix_{table}_id", table_name=table)
        op.create_index(f"ix_{table}_company_id", table, ["company_id"])
    _swap_keys("id", referred_unique=True)
