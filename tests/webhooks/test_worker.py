"""The real worker process: end to end, killed mid-delivery, Redis down, a hanging endpoint."""

import asyncio
import time

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from standardwebhooks.webhooks import Webhook

from slotwise.app import create_app
from slotwise.settings import Settings
from tests.support.factories import Tenant, make_delivery, make_tenant, make_webhook
from tests.support.webhook_receiver import Receiver, Reply
from tests.support.worker_process import running_worker

pytestmark = pytest.mark.slow


async def fetch(settings: Settings, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def wait_delivered(settings: Settings, count: int, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while True:
        done = await fetch(settings, "SELECT id FROM webhook_delivery WHERE status = 'delivered'")
        if len(done) >= count:
            return
        if time.monotonic() > deadline:
            states = await fetch(
                settings, "SELECT status, attempts, last_error FROM webhook_delivery"
            )
            raise AssertionError(f"only {len(done)} of {count} delivered: {states}")
        await asyncio.sleep(0.1)


async def stored_bodies(settings: Settings) -> dict[str, bytes]:
    return {
        row["msg_id"]: row["payload"]
        for row in await fetch(settings, "SELECT msg_id, payload FROM webhook_event")
    }


def user(n: int | str) -> dict[str, str]:
    return {
        "email": f"worker-{n}@hooks.test",
        "givenName": "Wanda",
        "familyName": f"Worker {n}",
        "timezone": "Europe/Berlin",
    }


async def test_provisioning_reaches_the_receiver_through_the_worker(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant, receiver: Receiver
) -> None:
    created = await client.post(
        "/v4/webhooks",
        json={"endpoint": receiver.url(), "eventTypes": ["new_employee"]},
        headers=tenant.headers(),
    )
    assert created.status_code == 201, created.text
    secret = created.json()["secret"]
    with running_worker(settings):
        sent = time.time()
        response = await client.post("/v4/user", json=user("e2e"), headers=tenant.headers())
        assert response.status_code == 201, response.text
        (got,) = await asyncio.to_thread(receiver.wait_for, 1)
        await wait_delivered(settings, 1)
    assert got.at - sent < 2.0  # woken after commit, not by the relay's next round
    body = Webhook(secret).verify(got.body, got.headers)
    assert body["webhookType"] == "new_employee"
    assert body["userId"] == response.json()["userId"]
    assert got.body == (await stored_bodies(settings))[got.headers["webhook-id"]]


async def test_killing_the_worker_mid_delivery_loses_nothing(
    settings: Settings, tenant: Tenant, receiver: Receiver
) -> None:
    receiver.plan("/slow", Reply(200, delay=0.6))
    await make_webhook(settings, tenant, url=receiver.url("/slow"), timeout_seconds=2)
    for _ in range(5):
        await make_delivery(settings, tenant)
    kills = 0
    for _ in range(3):
        seen = len(receiver.received)
        with running_worker(settings) as worker:
            got = await asyncio.to_thread(receiver.wait_for, seen + 1, None, 15.0)
            assert len(got) > seen, worker.output()
            worker.kill()  # while the receiver is still answering
            kills += 1
    with running_worker(settings):
        await wait_delivered(settings, 5)
    stored = await stored_bodies(settings)
    received = list(receiver.received)
    assert kills == 3
    assert {r.headers["webhook-id"] for r in received} == set(stored)
    for request in received:  # duplicates carry the same id and the same bytes
        assert request.body == stored[request.headers["webhook-id"]]
    assert len(received) >= 5


async def test_events_committed_while_redis_is_down_are_delivered(
    app: Litestar, settings: Settings, tenant: Tenant, receiver: Receiver
) -> None:
    await make_webhook(settings, tenant, url=receiver.url())
    down = msgspec.structs.replace(settings, redis_url="redis://127.0.0.1:9/0")
    async with AsyncTestClient(create_app(down)) as offline:
        for n in range(3):
            response = await offline.post("/v4/user", json=user(n), headers=tenant.headers())
            assert response.status_code == 201, response.text
    assert len(await fetch(settings, "SELECT id FROM webhook_delivery")) == 3
    assert receiver.received == []
    with running_worker(settings):
        await wait_delivered(settings, 3)
    assert {r.headers["webhook-id"] for r in receiver.received} == set(
        await stored_bodies(settings)
    )


async def test_a_hanging_endpoint_does_not_hold_up_the_others(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant, receiver: Receiver
) -> None:
    receiver.plan("/hang", Reply(200, delay=10))
    await make_webhook(settings, tenant, url=receiver.url("/hang"), timeout_seconds=3)
    await make_webhook(settings, tenant, url=receiver.url("/fast"))
    committed: dict[str, float] = {}
    # 4 job slots: without the per-endpoint bulkhead the hanging deliveries would take them all
    with running_worker(settings, SLOTWISE_WORKER_MAX_JOBS="4"):
        for n in range(6):
            response = await client.post("/v4/user", json=user(n), headers=tenant.headers())
            assert response.status_code == 201
            committed[response.json()["userId"]] = time.time()
            await asyncio.sleep(0.1)
        fast = await asyncio.to_thread(receiver.wait_for, 6, "/fast", 10.0)
    lags = [r.at - committed[msgspec.json.decode(r.body)["userId"]] for r in fast]
    assert len(lags) == 6
    assert max(lags) < 1.0, lags


async def test_a_company_with_many_hanging_endpoints_does_not_hold_up_another(
    settings: Settings, tenant: Tenant, receiver: Receiver
) -> None:
    for n in range(6):
        receiver.plan(f"/hang{n}", Reply(200, delay=10))
        await make_webhook(settings, tenant, url=receiver.url(f"/hang{n}"), timeout_seconds=6)
    other = await make_tenant(settings, "Other")
    await make_webhook(settings, other, url=receiver.url("/fast"))
    # 4 job slots, 2 for one company: without the company bulkhead the hanging endpoints (one
    # attempt each, so the per-endpoint bulkhead lets them all in) would take every slot
    with running_worker(
        settings,
        SLOTWISE_WORKER_MAX_JOBS="4",
        SLOTWISE_WEBHOOK_MAX_CONCURRENT_PER_COMPANY="2",
    ):
        await make_delivery(settings, tenant)
        hanging = await asyncio.to_thread(receiver.wait_for, 2, None, 10.0)
        assert len(hanging) >= 2
        await asyncio.sleep(0.5)  # the other hanging deliveries are woken too
        committed = time.time()
        await make_delivery(settings, other)
        fast = await asyncio.to_thread(receiver.wait_for, 1, "/fast", 15.0)
        assert len(fast) == 1
        hung = [r for r in receiver.received if r.path.startswith("/hang")]
    assert fast[0].at - committed < 2.5  # the relay's next round and a free slot
    assert len(hung) <= 2  # the company never had more than its share sending
