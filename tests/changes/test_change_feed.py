"""GET /v4/changes: creates, updates and deletes with tombstones, type filters and scopes, and
writers interleaving with a poller that must see every committed change exactly once."""

import asyncio
import random
import uuid
from collections import Counter
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.factories import Tenant, make_pat, make_tenant, make_user

Client = AsyncTestClient[Litestar]


async def _page(client: Client, tenant: Tenant, since: str | None, **params: str) -> dict[str, Any]:
    query = params | ({"since": since} if since else {})
    response = await client.get("/v4/changes", params=query, headers=tenant.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _drain(
    client: Client, tenant: Tenant, since: str | None, **params: str
) -> tuple[list[dict[str, Any]], str]:
    found: list[dict[str, Any]] = []
    while True:
        page = await _page(client, tenant, since, **params)
        found += page["changes"]
        since = page["nextCursor"]
        if not page["hasMore"]:
            return found, since


async def test_creates_updates_and_deletes_appear_in_order_with_tombstones(
    client: Client, settings: Settings
) -> None:
    tenant = await make_tenant(settings, "Changes")
    _, start = await _drain(client, tenant, None)
    made = await client.post(
        "/v4/meeting-type",
        json={"meetingInfo": {"name": "Feed", "duration": 30, "channel": "zoom"}},
        headers=tenant.headers(tenant.owner_id),
    )
    assert made.status_code == 201, made.text
    type_id = made.json()["id"]
    headers = tenant.headers(tenant.owner_id)
    patched = await client.patch(
        f"/v4/meeting-type/{type_id}", json={"enabled": False}, headers=headers
    )
    assert patched.status_code == 200
    assert (await client.delete(f"/v4/meeting-type/{type_id}", headers=headers)).status_code < 300

    # a transaction still open elsewhere on the server holds changes back: poll until they come
    cursor, changes = start, []
    for _ in range(1000):
        found, cursor = await _drain(client, tenant, cursor, types="meetingType")
        changes += found
        if any(c["action"] == "deleted" for c in changes):
            break
        await asyncio.sleep(0.02)
    mine = [(c["action"], c["deletedAt"] is not None) for c in changes if c["id"] == type_id]
    assert mine[0] == ("created", False)
    assert mine[-1] == ("deleted", True)
    assert ("updated", False) in mine
    # nothing repeats: the cursor moved past all of it
    assert (await _page(client, tenant, cursor))["changes"] == []
    # a type filter leaves the others out
    users_only, _ = await _drain(client, tenant, start, types="user")
    assert all(c["type"] == "user" for c in users_only)
    everything, _ = await _drain(client, tenant, start)
    assert {c["id"] for c in everything} >= {type_id}


async def test_bad_cursors_and_types_are_400s_and_tokens_see_their_scopes(
    client: Client, settings: Settings
) -> None:
    tenant = await make_tenant(settings, "Changes")
    headers = tenant.headers()
    bad = await client.get("/v4/changes", params={"since": "nonsense"}, headers=headers)
    assert bad.status_code == 400
    assert "since" in bad.text
    wrong = await client.get("/v4/changes", params={"types": "appointment,bogus"}, headers=headers)
    assert wrong.status_code == 400
    assert "types" in wrong.text
    await make_user(settings, tenant, given_name="Scoped")
    pat = (await make_pat(settings, tenant, tenant.owner_id, ("events:read",))).token
    bearer = {"authorization": f"Bearer {pat}"}
    seen = await client.get("/v4/changes", headers=bearer)
    assert seen.status_code == 200
    assert {c["type"] for c in seen.json()["changes"]} <= {"appointment"}
    refused = await client.get("/v4/changes", params={"types": "user"}, headers=bearer)
    assert refused.status_code == 403


async def test_interleaved_writers_and_a_poller_see_every_change_exactly_once(
    client: Client, settings: Settings
) -> None:
    """Writers hold their transactions open for random spans, so they commit in another order
    than they wrote; some roll back. The poller, polling all along, must end up with exactly the
    committed changes: none missed, none twice, none rolled back."""
    tenant = await make_tenant(settings, "Changes")
    users = [await make_user(settings, tenant, given_name=f"Writer{i}") for i in range(4)]
    _, cursor = await _drain(client, tenant, None, types="user")
    committed: Counter[str] = Counter()
    seen: list[str] = []
    writing = True
    dice = random.Random(7)
    assert settings.database_url is not None

    def updates(changes: list[dict[str, Any]]) -> list[str]:
        """The writers' updates (the users' creations may show up late: the cut-off waits
        for every older transaction on the server)."""
        return [c["id"] for c in changes if c["action"] == "updated"]

    async def writer(user_id: uuid.UUID) -> None:
        conn = await asyncpg.connect(settings.database_url)
        try:
            for n in range(12):
                transaction = conn.transaction()
                await transaction.start()
                await conn.execute(
                    'UPDATE "user" SET title = $1 WHERE company_id = $2 AND id = $3',
                    f"w{n}",
                    tenant.company_id,
                    user_id,
                )
                await asyncio.sleep(dice.uniform(0, 0.04))  # others commit meanwhile
                if n % 4 == 3:
                    await transaction.rollback()
                else:
                    await transaction.commit()
                    committed[str(user_id)] += 1
        finally:
            await conn.close()

    async def poller() -> None:
        nonlocal cursor
        while writing:
            changes, cursor = await _drain(client, tenant, cursor, types="user")
            seen.extend(updates(changes))
            await asyncio.sleep(0.005)

    polling = asyncio.create_task(poller())
    await asyncio.gather(*(writer(user) for user in users))
    writing = False
    await polling
    # the rest, once every writer's transaction is over (others' transactions on the shared
    # server may hold the cut-off back for a moment)
    for _ in range(2000):
        if len(seen) >= sum(committed.values()):
            break
        changes, cursor = await _drain(client, tenant, cursor, types="user")
        seen.extend(updates(changes))
        await asyncio.sleep(0.01)
    assert Counter(seen) == committed
    assert sum(committed.values()) == 4 * 9
