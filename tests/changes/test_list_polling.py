"""Polling a list with `sortBy=updatedAt`, `updatedSince` and `nextCursor`: rows sharing a
timestamp are neither skipped nor repeated across pages, and a row stamped while an older
transaction still runs is held back until that transaction ends (it might yet commit a row
stamped before it)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.factories import (
    book,
    insert_provisional,
    make_scheduling,
    make_tenant,
    make_user,
    make_webhook,
)

Client = AsyncTestClient[Litestar]
LIST = "/v4/appointment/paginated"


async def _poll(
    client: Client, headers: dict[str, str], cursor: str | None, **params: str
) -> tuple[list[str], str]:
    query: dict[str, Any] = {"sortBy": "updatedAt", "pageSize": "2"} | params
    if cursor is not None:
        query["cursor"] = cursor
    seen: list[str] = []
    while True:
        response = await client.get(LIST, params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [a["id"] for a in body["appointments"]]
        query["cursor"] = body["nextCursor"]
        if not body["appointments"]:
            return seen, body["nextCursor"]


async def test_polling_appointments_by_update_time(client: Client, settings: Settings) -> None:
    tenant = await make_tenant(settings, "Polls")
    host = await make_user(settings, tenant, given_name="Polly")
    scheduling = await make_scheduling(settings, tenant, host)
    start = datetime(2031, 3, 3, 9, tzinfo=UTC)
    ids = []
    for n in range(5):
        booked = await book(
            settings,
            tenant,
            scheduling.meeting_type_id,
            start + timedelta(hours=n),
            ignore_availability=True,
        )
        ids.append(str(booked.appointment_id))
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        # five rows, one timestamp: pages of two must still show each exactly once
        await conn.execute(
            "UPDATE appointment SET updated_at = now() - interval '1 minute' WHERE company_id = $1",
            tenant.company_id,
        )
        headers = tenant.headers(host)
        seen, cursor = await _poll(client, headers, None)
        assert sorted(seen) == sorted(ids)

        # an older transaction still running holds newer stamps back
        older = await asyncpg.connect(settings.database_url)
        try:
            holding = older.transaction()
            await holding.start()
            await older.execute("SELECT 1")
            cancelled = await client.post(
                f"/v4/appointment/{ids[2]}/cancel", json={"reason": "x"}, headers=headers
            )
            assert cancelled.status_code < 300, cancelled.text
            held, cursor = await _poll(client, headers, cursor)
            assert held == []
            await holding.rollback()
        finally:
            await older.close()
        after, cursor = await _poll(client, headers, cursor)
        assert after == [ids[2]]
        assert (await _poll(client, headers, cursor))[0] == []

        since = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        assert (await _poll(client, headers, None, updatedSince=since))[0] == []
        bad = await client.get(
            LIST, params={"cursor": "zzz", "sortBy": "updatedAt"}, headers=headers
        )
        assert bad.status_code == 400
        assert "cursor" in bad.text
        unsorted = await client.get(LIST, params={"updatedSince": since}, headers=headers)
        assert unsorted.status_code == 400
    finally:
        await conn.close()


async def _rows_and_cursor(response: Any, key: str | None) -> tuple[list[str], str]:
    assert response.status_code == 200, response.text
    body = response.json()
    if key is None:  # a bare array: the cursor is in a header
        return [row["id"] for row in body], response.headers["x-next-cursor"]
    return [row["id"] for row in body[key]], body["nextCursor"]


async def test_every_v4_list_polls_by_update_time(client: Client, settings: Settings) -> None:
    """Meeting types, users, webhooks and provisional bookings: a poll shows a new row once,
    the next poll from its cursor shows nothing until the row changes again."""
    tenant = await make_tenant(settings, "Polls")
    host = await make_user(settings, tenant, given_name="Polly")
    scheduling = await make_scheduling(settings, tenant, host)
    webhook = await make_webhook(settings, tenant)
    provisional = await insert_provisional(
        settings,
        tenant,
        host,
        scheduling.meeting_type_id,
        datetime(2031, 5, 5, 9, tzinfo=UTC),
        expires_at=datetime(2031, 5, 5, 8, tzinfo=UTC),
    )
    headers = tenant.headers(host)
    lists = {
        "/v4/meeting-type": (None, str(scheduling.meeting_type_id)),
        "/v4/user": ("users", str(host)),
        "/v4/webhooks": (None, str(webhook.id)),
        "/v4/provisional-booking/paginated": ("provisionalBookings", str(provisional)),
    }
    cursors: dict[str, str] = {}
    for path, (key, wanted) in lists.items():
        params = {"sortBy": "updatedAt"}
        first, cursor = await _rows_and_cursor(
            await client.get(path, params=params, headers=headers), key
        )
        assert wanted in first, path
        again, _ = await _rows_and_cursor(
            await client.get(path, params=params | {"cursor": cursor}, headers=headers), key
        )
        assert again == [], path
        cursors[path] = cursor
    # a change brings the row back, once
    await client.patch(f"/v4/user/{host}", json={"title": "Changed"}, headers=headers)
    users, _ = await _rows_and_cursor(
        await client.get(
            "/v4/user",
            params={"sortBy": "updatedAt", "cursor": cursors["/v4/user"]},
            headers=headers,
        ),
        "users",
    )
    assert users == [str(host)]


async def test_api_v1_lists_poll_by_update_time(client: Client, settings: Settings) -> None:
    """The sheet's dialect: `sort_by=updated_at`, `updated_since`, `cursor`, `next_cursor`."""
    tenant = await make_tenant(settings, "Polls")
    scheduling = await make_scheduling(settings, tenant, tenant.owner_id)
    await book(
        settings,
        tenant,
        scheduling.meeting_type_id,
        datetime(2031, 6, 2, 9, tzinfo=UTC),
        ignore_availability=True,
    )
    await make_webhook(settings, tenant)
    headers = tenant.headers(tenant.owner_id)
    for path in ("/api/v1/events", "/api/v1/event_types", "/api/v1/webhooks"):
        first = await client.get(path, params={"sort_by": "updated_at"}, headers=headers)
        assert first.status_code == 200, first.text
        assert len(first.json()["data"]) == 1, path
        cursor = first.json()["next_cursor"]
        again = await client.get(
            path, params={"sort_by": "updated_at", "cursor": cursor}, headers=headers
        )
        assert again.json()["data"] == [], path
        assert again.json()["next_cursor"] == cursor
        bad = await client.get(
            path, params={"sort_by": "updated_at", "updated_since": "soon"}, headers=headers
        )
        assert bad.status_code == 422, path
        assert "updated_since" in bad.text
