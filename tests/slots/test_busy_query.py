"""The busy-time query: which appointments block a window, and what it reads to find them."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.db.session import driver_connection
from slotwise.db.tenancy import CompanyId
from slotwise.settings import Settings
from slotwise.slots.repository import _BUSY_SQL, BusyTimeRepository
from tests.support import bookings as support
from tests.support.factories import Side, session_for

DAY = datetime(2031, 3, 3, tzinfo=UTC)


async def add_appointments(
    database_url: str, side: Side, meeting_type_id: str, host: uuid.UUID, starts: list[datetime]
) -> None:
    """Confirmed 30-minute appointments of `host`, inserted directly."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO appointment (id, company_id, meeting_type_id, host_user_id, start_at,"
            " end_at, status, buffer_before, buffer_after, total_spots, meeting_info,"
            " secret_hash, request, reschedule_count, ics_sequence)"
            " SELECT gen_random_uuid(), $1, $2, $3, s, s + interval '30 minutes', 'confirmed',"
            " 0, 0, 1, '{}', repeat('0', 64), '{}', 0, 0 FROM unnest($4::timestamptz[]) s",
            side.tenant.company_id,
            uuid.UUID(meeting_type_id),
            host,
            starts,
        )
        await conn.execute("ANALYZE appointment, appointment_host, attendee")
    finally:
        await conn.close()


async def busy(
    settings: Settings, side: Side, hosts: list[uuid.UUID], start: datetime, end: datetime
) -> list[tuple[datetime, uuid.UUID]]:
    async with session_for(settings) as session:
        rows = await BusyTimeRepository(session, CompanyId(side.tenant.company_id)).of_hosts(
            hosts, start, end, start
        )
    return [(row[2], row.host_id) for row in rows]


async def test_only_appointments_overlapping_the_window_block_it(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    mt = await support.make_type(client, side_a)
    member, owner = side_a.member_id, side_a.tenant.owner_id
    ten = DAY.replace(hour=10)
    half_hours = [ten + timedelta(minutes=30 * n) for n in range(3)]  # 10:00, 10:30, 11:00
    await add_appointments(settings.database_url, side_a, mt["id"], member, half_hours)
    await add_appointments(settings.database_url, side_a, mt["id"], owner, [half_hours[1]])
    minute = timedelta(minutes=1)

    # [10:30, 11:00): the appointments ending at 10:30 and starting at 11:00 only touch it
    assert await busy(settings, side_a, [member], half_hours[1], half_hours[2]) == [
        (half_hours[1], member)
    ]
    # a minute either side of 10:30 reaches into both neighbours
    assert await busy(
        settings, side_a, [member], half_hours[1] - minute, half_hours[1] + minute
    ) == [(half_hours[0], member), (half_hours[1], member)]
    # each host asked about gets its own rows, a host named twice only once
    both = await busy(settings, side_a, [member, owner, member], ten, ten + timedelta(hours=2))
    assert sorted(both) == sorted([*((at, member) for at in half_hours), (half_hours[1], owner)])
    # a window holding no instant overlaps nothing, and an inverted one is not an error
    assert await busy(settings, side_a, [member], half_hours[1], half_hours[1]) == []
    assert await busy(settings, side_a, [member], half_hours[2], half_hours[0]) == []


def _rows_read(plan: dict[str, Any], table: str) -> int:
    """Rows the plan's scans of `table` produced or read and dropped."""
    rows = 0
    if plan.get("Relation Name") == table:
        loops = plan.get("Actual Loops", 1)
        rows += (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * loops
        rows += plan.get("Rows Removed by Index Recheck", 0)
    return rows + sum(_rows_read(child, table) for child in plan.get("Plans", []))


async def test_a_long_history_is_not_read(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    """A host's past appointments all start before any window's end: the query must find the
    window's rows through the overlap index, not read the host's whole history, and the planner
    must know the window holds few (the span's statistics), or it joins every appointment."""
    mt = await support.make_type(client, side_a)
    member = side_a.member_id
    history = [DAY - timedelta(hours=2 * n) for n in range(1, 3001)]
    await add_appointments(settings.database_url, side_a, mt["id"], member, [DAY, *history])
    start, end = DAY - timedelta(minutes=15), DAY + timedelta(hours=1)
    async with session_for(settings) as session:
        driver = await driver_connection(session)
        explained = await driver.fetchval(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + _BUSY_SQL,
            side_a.tenant.company_id,
            [member],
            start,
            end,
            start,
            None,
            True,
        )
    # the app's connections decode json themselves
    plan = (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]
    assert plan["Actual Rows"] == 1
    for table in ("appointment_host", "appointment"):
        assert _rows_read(plan, table) <= 10, (table, json.dumps(plan, indent=1))
