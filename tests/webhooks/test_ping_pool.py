"""The test ping holds no database connection while it waits for the customer's endpoint: with
a pool of three connections, more slow pings than that run at once and other requests of the
process still answer at once (the app served by uvicorn, so requests really run side by side)."""

import asyncio
import time

import httpx
import msgspec
import pytest
from litestar import Litestar

from slotwise.db.session import ENGINE
from slotwise.settings import Settings
from tests.support.browser import serving
from tests.support.factories import Tenant
from tests.support.webhook_receiver import Receiver, Reply

DELAY = 2.0
PINGS = 6


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # pool_size 2 and, from it, one overflow connection: three in all, fewer than the pings
    return msgspec.structs.replace(settings, db_pool_size=2)


async def test_slow_pings_hold_no_connection(
    app: Litestar, tenant: Tenant, receiver: Receiver
) -> None:
    with serving(lambda _: app) as base_url:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            await _pings_side_by_side(app, client, tenant, receiver)


async def _pings_side_by_side(
    app: Litestar, client: httpx.AsyncClient, tenant: Tenant, receiver: Receiver
) -> None:
    receiver.plan("/slow", Reply(200, delay=DELAY))
    made = await client.post(
        "/webhooks",
        json={"endpoint": receiver.url("/slow"), "eventTypes": ["booking_created"]},
        headers=tenant.headers(),
    )
    assert made.status_code == 201, made.text
    webhook_id = made.json()["id"]
    pool = ENGINE.of(app.state).pool
    assert pool.size() + pool._max_overflow < PINGS  # type: ignore[attr-defined]

    async def ping() -> tuple[int, dict[str, object]]:
        answer = await client.post(f"/webhooks/{webhook_id}/test", headers=tenant.headers())
        return answer.status_code, answer.json()

    started = time.monotonic()
    pings = [asyncio.create_task(ping()) for _ in range(PINGS)]
    got = await asyncio.to_thread(receiver.wait_for, PINGS, "/slow", DELAY)
    assert len(got) == PINGS  # every ping reached the endpoint: none waited for a connection
    checked_out = pool.checkedout()  # type: ignore[attr-defined]
    me_started = time.monotonic()
    me = await client.get("/v4/user/me", headers=tenant.headers(tenant.owner_id))
    me_seconds = time.monotonic() - me_started
    still_waiting = sum(not task.done() for task in pings)
    results = await asyncio.gather(*pings)
    total = time.monotonic() - started

    assert checked_out == 0
    assert me.status_code == 200, me.text
    assert me_seconds < DELAY / 4
    assert still_waiting == PINGS  # /me answered while every ping was still waiting
    assert [code for code, _ in results] == [200] * PINGS
    assert {body["status"] for _, body in results} == {"delivered"}
    assert total < DELAY * 2  # the pings ran side by side
    log = await client.get(
        f"/webhooks/{webhook_id}/deliveries", params={"pageSize": 50}, headers=tenant.headers()
    )
    assert log.json()["total"] == PINGS
