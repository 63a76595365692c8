"""Webhook routes with an Idempotency-Key: a retried create or rotation gets the same signing
secret (sealed in the stored answer) and changes nothing more; a retried redelivery sends once."""

import uuid

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.kit.sealing import is_sealed
from slotwise.settings import Settings
from slotwise.webhooks.delivery import Deliverer
from slotwise.webhooks.sealed_secrets import open_secret
from tests.support.factories import Tenant, make_delivery
from tests.support.idempotency import assert_stored_sealed, count_rows
from tests.support.webhook_receiver import Receiver

ENDPOINT = "https://hooks.example.com/slotwise"
BODY = {"endpoint": ENDPOINT, "eventTypes": ["booking_created"]}


async def _secrets(settings: Settings, webhook_id: str) -> tuple[str, str | None]:
    """The endpoint's secrets as stored (sealed), opened."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        row = await conn.fetchrow(
            "SELECT secret, previous_secret FROM webhook_endpoint WHERE id = $1",
            uuid.UUID(webhook_id),
        )
    finally:
        await conn.close()
    assert row is not None
    id_, stored = uuid.UUID(webhook_id), (row["secret"], row["previous_secret"])
    assert all(value is None or is_sealed(value) for value in stored)
    previous = stored[1] and open_secret(settings.keyring(), id_, stored[1])
    return open_secret(settings.keyring(), id_, stored[0]), previous


async def test_a_retried_create_gets_the_same_secret_and_one_endpoint(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant
) -> None:
    key = "b7e1c0de-2f7a-4c55-8d1e-0a9b3c4d5e6f"
    headers = tenant.headers() | {"Idempotency-Key": key}
    first = await client.post("/webhooks", json=BODY, headers=headers)
    assert first.status_code == 201, first.text
    secret = first.json()["secret"]
    replay = await client.post("/webhooks", json=BODY, headers=headers)
    assert (replay.status_code, replay.content) == (201, first.content)
    assert replay.headers["idempotent-replayed"] == "true"
    assert await count_rows(settings, "webhook_endpoint") == 1
    other = await client.post("/webhooks", json=BODY | {"name": "CRM"}, headers=headers)
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert await count_rows(settings, "webhook_endpoint") == 1
    await assert_stored_sealed(settings, key, first.content, secret)


async def test_a_retried_rotation_rotates_once(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant
) -> None:
    made = (await client.post("/webhooks", json=BODY, headers=tenant.headers())).json()
    other = (await client.post("/webhooks", json=BODY, headers=tenant.headers())).json()
    key = "5d0f9a7e-rotate"
    headers = tenant.headers() | {"Idempotency-Key": key}
    path = f"/webhooks/{made['id']}/rotate-secret"
    first = await client.post(path, headers=headers)
    assert first.status_code == 200, first.text
    rotated = first.json()["secret"]
    assert rotated != made["secret"]
    replay = await client.post(path, headers=headers)
    assert (replay.status_code, replay.content) == (200, first.content)
    assert replay.headers["idempotent-replayed"] == "true"
    assert await _secrets(settings, made["id"]) == (rotated, made["secret"]), "rotated once"

    elsewhere = await client.post(f"/webhooks/{other['id']}/rotate-secret", headers=headers)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "idempotency_key_reused")
    assert await _secrets(settings, other["id"]) == (other["secret"], None)
    await assert_stored_sealed(settings, key, first.content, rotated, made["secret"])


async def test_a_retried_redelivery_sends_once(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    tenant: Tenant,
    receiver: Receiver,
    deliverer: Deliverer,
) -> None:
    body = {"endpoint": receiver.url(), "eventTypes": ["new_employee"]}
    assert (await client.post("/webhooks", json=body, headers=tenant.headers())).status_code == 201
    first_id, second_id = (
        await make_delivery(settings, tenant),
        await make_delivery(settings, tenant),
    )
    for delivery_id in (*first_id, *second_id):
        assert await deliverer.deliver(delivery_id) is not None
    deliveries = await count_rows(settings, "webhook_delivery")
    headers = tenant.headers() | {"Idempotency-Key": "redeliver-1"}
    path = f"/webhooks/deliveries/{first_id[0]}/redeliver"
    first = await client.post(path, headers=headers)
    assert first.status_code == 202, first.text
    assert first.json()["id"] != str(first_id[0]), "a new delivery of the same event"
    replay = await client.post(path, headers=headers)
    assert (replay.status_code, replay.content) == (202, first.content)
    assert replay.headers["idempotent-replayed"] == "true"
    assert await count_rows(settings, "webhook_delivery") == deliveries + 1
    elsewhere = await client.post(f"/webhooks/deliveries/{second_id[0]}/redeliver", headers=headers)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (422, "idempotency_key_reused")
    assert await count_rows(settings, "webhook_delivery") == deliveries + 1
