"""A fingerprint of every table, to prove that a request wrote nothing."""

import asyncpg


async def fingerprint(database_url: str) -> dict[str, str]:
    conn = await asyncpg.connect(database_url)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        result: dict[str, str] = {}
        for row in tables:
            name = row["tablename"]
            rows = "string_agg(t::text, '|' ORDER BY t::text)"
            digest = await conn.fetchval(f"SELECT md5(coalesce({rows}, '')) FROM \"{name}\" t")  # noqa: S608
            result[name] = str(digest)
        return result
    finally:
        await conn.close()


async def tables_mentioning(
    database_url: str, needle: str, company_id: object | None = None
) -> dict[str, int]:
    """Per table, how many rows hold `needle` (any case) in any column, binary ones read as
    escaped text; only the company's rows where a table has `company_id`."""
    conn = await asyncpg.connect(database_url)
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        )
        tables: dict[str, list[tuple[str, str]]] = {}
        for row in columns:
            tables.setdefault(row["table_name"], []).append((row["column_name"], row["data_type"]))
        found: dict[str, int] = {}
        for name, cols in tables.items():
            text = " || ' ' || ".join(
                f"coalesce(encode(\"{col}\", 'escape'), '')"
                if kind == "bytea"
                else f"coalesce(\"{col}\"::text, '')"
                for col, kind in cols
            )
            where = f"lower({text}) LIKE $1"
            args: list[object] = [f"%{needle.lower()}%"]
            if company_id is not None and any(col == "company_id" for col, _ in cols):
                where += " AND company_id = $2"
                args.append(company_id)
            count = await conn.fetchval(f'SELECT count(*) FROM "{name}" WHERE {where}', *args)  # noqa: S608
            if count:
                found[name] = int(count)
        return found
    finally:
        await conn.close()
