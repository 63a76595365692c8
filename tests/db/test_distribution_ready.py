"""The migrated schema can be sharded by tenant with Citus, `company_id` as the distribution
column: read from PostgreSQL's catalogs, every rule `create_distributed_table` enforces for
tables co-located by `company_id` holds, so the move past one PostgreSQL needs no schema change.

Rules, for every tenant table (a table not named in GLOBAL_TABLES):
- a NOT NULL `company_id` column;
- every primary key, unique constraint, unique index and exclusion constraint includes
  `company_id` (an exclusion constraint compares it with `=`);
- a foreign key to another tenant table pairs `company_id` with `company_id`; one to `company`
  is by `company_id` alone; one to a global table needs that table to be a reference table.
A global (reference) table has no foreign key to a tenant table: Citus cannot check one.
"""

import asyncio
from typing import NamedTuple

import asyncpg

#: tables that are not distributed by `company_id`, each with why
GLOBAL_TABLES = {
    # the tenants themselves: a small table every request joins and every tenant table refers
    # to, so a reference table (one copy on every node); tenant foreign keys to it stay
    "company": "reference",
    # migration bookkeeping, read and written only by Alembic on the coordinator
    "alembic_version": "local",
    # credential lookup id -> company: authentication finds the company through it before any
    # tenant is known, and a PAT's 8-character lookup id is too short to be unique by chance,
    # so the uniqueness must be global; small, written once per credential
    "credential_lookup": "reference",
    # live booking-URL slug -> company and user: a slug is chosen by people and must be unique
    # platform-wide (`/{userSlug}/...` names no company); small, written when a slug changes
    "user_slug": "reference",
}
REFERENCE_TABLES = frozenset(name for name, kind in GLOBAL_TABLES.items() if kind == "reference")

_TABLES = """
SELECT c.relname,
       (SELECT a.attnotnull FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attname = 'company_id' AND NOT a.attisdropped)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
"""

# primary keys, unique constraints and unique indexes alike: each has a unique index; an
# expression in an index is no column (NULL)
_UNIQUE = """
SELECT c.relname, i.indexrelid::regclass::text,
       ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, pos)
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
             ORDER BY k.pos)
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND i.indisunique
"""

_EXCLUSION = """
SELECT r.relname, x.conname,
       ARRAY(SELECT a.attname FROM unnest(x.conkey) WITH ORDINALITY AS k(num, pos)
             LEFT JOIN pg_attribute a ON a.attrelid = x.conrelid AND a.attnum = k.num
             ORDER BY k.pos),
       ARRAY(SELECT o.oprname FROM unnest(x.conexclop) WITH ORDINALITY AS e(op, pos)
             JOIN pg_operator o ON o.oid = e.op ORDER BY e.pos)
FROM pg_constraint x JOIN pg_class r ON r.oid = x.conrelid
JOIN pg_namespace n ON n.oid = r.relnamespace
WHERE n.nspname = 'public' AND x.contype = 'x'
"""

_FOREIGN = """
SELECT r.relname, f.conname,
       ARRAY(SELECT a.attname FROM unnest(f.conkey) WITH ORDINALITY AS k(num, pos)
             JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.num ORDER BY k.pos),
       t.relname,
       ARRAY(SELECT a.attname FROM unnest(f.confkey) WITH ORDINALITY AS k(num, pos)
             JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.num ORDER BY k.pos)
FROM pg_constraint f JOIN pg_class r ON r.oid = f.conrelid JOIN pg_class t ON t.oid = f.confrelid
JOIN pg_namespace n ON n.oid = r.relnamespace
WHERE n.nspname = 'public' AND f.contype = 'f'
"""


class Catalog(NamedTuple):
    tables: list[asyncpg.Record]
    unique: list[asyncpg.Record]
    exclusion: list[asyncpg.Record]
    foreign: list[asyncpg.Record]


async def _read(url: str) -> Catalog:
    conn = await asyncpg.connect(url)
    try:
        return Catalog(*[await conn.fetch(sql) for sql in (_TABLES, _UNIQUE, _EXCLUSION, _FOREIGN)])
    finally:
        await conn.close()


def _foreign_key_problem(columns: list[str], target: str, target_columns: list[str]) -> str:
    """What keeps a tenant table's foreign key from being checked on one shard ('' if nothing)."""
    if target == "company":
        ok = columns == ["company_id"] and target_columns == ["id"]
        return "" if ok else "refers to company other than by company_id alone"
    if target in REFERENCE_TABLES:
        return ""
    if target in GLOBAL_TABLES:
        return f"refers to global table {target}, which is no reference table"
    pairs = dict(zip(columns, target_columns, strict=True))
    return "" if pairs.get("company_id") == "company_id" else "does not pair company_id"


def _key_offenders(catalog: Catalog, tenant: set[str]) -> list[str]:
    found = [
        f"{table}.{index} {tuple(columns)}: unique without company_id"
        for table, index, columns in catalog.unique
        if table in tenant and "company_id" not in columns
    ]
    for table, constraint, columns, operators in catalog.exclusion:
        pairs = dict(zip(columns, operators, strict=True))
        if table in tenant and pairs.get("company_id") != "=":
            found.append(f"{table}.{constraint}: excludes without company_id WITH =")
    return found


def _reference_offenders(catalog: Catalog, tenant: set[str]) -> list[str]:
    found = []
    for table, constraint, columns, target, target_columns in catalog.foreign:
        if table in tenant:
            problem = _foreign_key_problem(columns, target, target_columns)
        elif target in tenant:
            problem = f"global table refers to tenant table {target}"
        else:
            problem = ""
        if problem:
            found.append(f"{table}.{constraint} -> {target}: {problem}")
    return found


def offenders(catalog: Catalog) -> list[str]:
    """Every table and constraint that would block distribution by company_id, with why."""
    tenant = {name for name, _ in catalog.tables if name not in GLOBAL_TABLES}
    found = [
        f"table {name}: no NOT NULL company_id"
        for name, not_null in catalog.tables
        if name in tenant and not_null is not True
    ]
    found += _key_offenders(catalog, tenant) + _reference_offenders(catalog, tenant)
    return sorted(found)


def test_the_schema_can_be_distributed_by_company(database_url: str) -> None:
    catalog = asyncio.run(_read(database_url))
    found = offenders(catalog)
    assert not found, "would block create_distributed_table(..., 'company_id'):\n" + "\n".join(
        found
    )
    names = {name for name, _ in catalog.tables}
    assert GLOBAL_TABLES.keys() <= names, "GLOBAL_TABLES names a table that no longer exists"
    assert len(names - GLOBAL_TABLES.keys()) >= 20, "the tenant tables were read"


def test_the_check_names_what_would_block() -> None:
    """The rules catch each kind of blocker, named by table and constraint."""
    catalog = Catalog(
        tables=[("company", None), ("a", True), ("b", False)],
        unique=[("a", "pk_a", ["id"]), ("a", "uq_a_x", ["company_id", "x"])],
        exclusion=[("a", "ex_a", ["company_id", "r"], ["<>", "&&"])],
        foreign=[
            ("a", "fk_a_b", ["company_id", "b_id"], "b", ["id", "company_id"]),
            ("a", "fk_a_company", ["company_id"], "company", ["id"]),
            ("a", "fk_a_version", ["v"], "alembic_version", ["version_num"]),
            ("company", "fk_company_a", ["a_id"], "a", ["id"]),
        ],
    )
    assert offenders(catalog) == [
        "a.ex_a: excludes without company_id WITH =",
        "a.fk_a_b -> b: does not pair company_id",
        "a.fk_a_version -> alembic_version: refers to global table alembic_version,"
        " which is no reference table",
        "a.pk_a ('id',): unique without company_id",
        "company.fk_company_a -> a: global table refers to tenant table a",
        "table b: no NOT NULL company_id",
    ]
