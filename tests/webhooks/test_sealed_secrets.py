"""Signing secrets at rest: sealed in the row, opened to sign, re-sealed on a key rotation; a
secret no listed key opens fails the attempt without sending it."""

import asyncio
import json
import logging
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from slotwise.kit.sealing import Keyring, is_sealed, new_key, sealed_key_id
from slotwise.models import DeliveryStatus, WebhookEndpoint
from slotwise.settings import Settings
from slotwise.webhooks import signing
from slotwise.webhooks.delivery import SECRET_UNREADABLE, Deliverer
from slotwise.webhooks.resealing import reseal_all
from slotwise.webhooks.sender import Sender
from tests.support.factories import Tenant, make_delivery, make_webhook
from tests.support.webhook_receiver import Receiver
from tests.webhooks.conftest import FakeClock, FixedRandom

NEWER = new_key()


async def _stored(settings: Settings, endpoint_id: uuid.UUID | str) -> asyncpg.Record:
    conn = await asyncpg.connect(settings.database_url)
    try:
        row = await conn.fetchrow(
            "SELECT secret, previous_secret FROM webhook_endpoint WHERE id = $1",
            uuid.UUID(str(endpoint_id)),
        )
    finally:
        await conn.close()
    assert row is not None
    return row


async def _store_plain(settings: Settings, endpoint_id: uuid.UUID, secret: str) -> None:
    """What a row written before sealing holds (the app itself never writes this)."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute(
            "UPDATE webhook_endpoint SET secret = $2 WHERE id = $1", endpoint_id, secret
        )
    finally:
        await conn.close()


def _verifies(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


def _with_keys(settings: Settings, keys: str) -> Settings:
    return msgspec.structs.replace(settings, secret_keys=keys)


async def test_the_row_holds_the_secret_sealed_and_deliveries_verify(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant, receiver: Receiver
) -> None:
    body = {"endpoint": receiver.url(), "eventTypes": ["booking_created"]}
    made = (await client.post("/webhooks", json=body, headers=tenant.headers())).json()
    rotated = (
        await client.post(f"/webhooks/{made['id']}/rotate-secret", headers=tenant.headers())
    ).json()
    row = await _stored(settings, made["id"])
    for value in (row["secret"], row["previous_secret"]):
        assert is_sealed(value)
        assert sealed_key_id(value) == settings.keyring().current_id
    raw = f"{row['secret']} {row['previous_secret']}"
    for secret in (made["secret"], rotated["secret"]):
        assert secret not in raw
        assert secret.removeprefix("whsec_") not in raw
    result = await client.post(f"/webhooks/{made['id']}/test", headers=tenant.headers())
    assert result.json()["status"] == "delivered"
    (got,) = receiver.received
    Webhook(rotated["secret"]).verify(got.body, got.headers)
    Webhook(made["secret"]).verify(got.body, got.headers)


def test_a_clear_secret_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="only a sealed secret"):
        WebhookEndpoint(secret=signing.new_secret())


async def test_key_rotation_old_key_second_opens_and_rotate_reseals(
    *,
    settings: Settings,
    tenant: Tenant,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
    sender: Sender,
    clock: FakeClock,
) -> None:
    old = await make_webhook(settings, tenant, url=receiver.url())
    legacy = await make_webhook(settings, tenant, url=receiver.url())
    plain = signing.new_secret()
    await _store_plain(settings, legacy.id, plain)
    rotated = _with_keys(settings, f"{NEWER},{settings.secret_keys}")
    newer_id = rotated.keyring().current_id
    deliverer = Deliverer(sessions, sender, rotated, clock=clock, rng=FixedRandom())
    for delivery_id in await make_delivery(settings, tenant):
        outcome = await deliverer.deliver(delivery_id)
        assert outcome is not None
        assert outcome.status is DeliveryStatus.DELIVERED
    assert len(receiver.received) == 2
    fresh = await make_webhook(rotated, tenant, url=receiver.url())
    assert sealed_key_id((await _stored(settings, fresh.id))["secret"]) == newer_id

    done = await reseal_all(sessions, rotated.keyring(), clock())
    assert (done.checked, done.resealed, done.unreadable) == (2, 2, 0)
    for endpoint in (old, legacy, fresh):
        assert sealed_key_id((await _stored(settings, endpoint.id))["secret"]) == newer_id
    assert (await reseal_all(sessions, rotated.keyring(), clock())).checked == 0

    only_newer = _with_keys(settings, NEWER)
    receiver.received.clear()
    deliverer = Deliverer(sessions, sender, only_newer, clock=clock, rng=FixedRandom())
    for delivery_id in await make_delivery(settings, tenant):
        outcome = await deliverer.deliver(delivery_id)
        assert outcome is not None
        assert outcome.status is DeliveryStatus.DELIVERED
    assert len(receiver.received) == 3
    signed = [r for r in receiver.received if _verifies(plain, r.body, r.headers)]
    assert len(signed) == 1, "the once-plain secret still signs, sealed under the newest key"


async def test_a_secret_sealed_with_an_unlisted_key_fails_the_attempt_loudly(
    settings: Settings,
    tenant: Tenant,
    receiver: Receiver,
    deliverer: Deliverer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    stranger = _with_keys(settings, NEWER)
    webhook = await make_webhook(stranger, tenant, url=receiver.url())
    (delivery_id,) = await make_delivery(settings, tenant)
    with caplog.at_level(logging.ERROR, "slotwise.webhooks"):
        outcome = await deliverer.deliver(delivery_id)
    assert outcome is not None
    assert (outcome.status, outcome.error) == (DeliveryStatus.PENDING, SECRET_UNREADABLE)
    assert receiver.received == []
    assert f"webhook endpoint {webhook.id}: its signing secret cannot be opened" in caplog.text
    assert Keyring.parse(NEWER).current_id in caplog.text
    conn = await asyncpg.connect(settings.database_url)
    try:
        attempt = await conn.fetchrow("SELECT error FROM webhook_attempt")
        failures = await conn.fetchval("SELECT failure_count FROM webhook_endpoint")
    finally:
        await conn.close()
    assert attempt is not None
    assert attempt["error"] == SECRET_UNREADABLE
    assert failures == 0, "our key problem is no strike against the endpoint"


async def test_ping_and_rotation_with_an_unreadable_secret(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant, receiver: Receiver
) -> None:
    webhook = await make_webhook(_with_keys(settings, NEWER), tenant, url=receiver.url())
    ping = await client.post(f"/webhooks/{webhook.id}/test", headers=tenant.headers())
    assert ping.status_code == 200, ping.text
    assert (ping.json()["status"], ping.json()["error"]) == ("failed", SECRET_UNREADABLE)
    assert receiver.received == []
    rotated = await client.post(f"/webhooks/{webhook.id}/rotate-secret", headers=tenant.headers())
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["previousSecretExpiresAt"] is None
    assert (await _stored(settings, webhook.id))["previous_secret"] is None
    ping = await client.post(f"/webhooks/{webhook.id}/test", headers=tenant.headers())
    assert ping.json()["status"] == "delivered"


async def test_rotate_command_seals_plain_rows_and_drops_expired_previous_secrets(
    settings: Settings, tenant: Tenant
) -> None:
    expired = datetime.now(UTC) - timedelta(hours=1)
    webhook = await make_webhook(
        settings, tenant, previous_secret=signing.new_secret(), previous_secret_expires_at=expired
    )
    plain = signing.new_secret()
    await _store_plain(settings, webhook.id, plain)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOTWISE_")}
    env |= {
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "SLOTWISE_SECRET_KEYS": f"{NEWER},{settings.secret_keys}",
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "slotwise", "secrets", "rotate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "checked": 1,
        "resealed": 1,
        "dropped": 1,
        "unreadable": 0,
        "calendar_checked": 0,
        "calendar_resealed": 0,
        "calendar_unreadable": 0,
    }
    row = await _stored(settings, webhook.id)
    assert row["previous_secret"] is None
    assert plain not in row["secret"]
    assert Keyring.parse(NEWER).open(row["secret"], f"webhook_endpoint:{webhook.id}") == plain
