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
