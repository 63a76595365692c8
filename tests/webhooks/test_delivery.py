"""One delivery attempt at a time, against a real local receiver, under a fake clock."""

import asyncio
import email.utils
import itertools
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from slotwise.db.leases import Due
from slotwise.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookAttempt,
    WebhookAudit,
    WebhookEndpoint,
)
from slotwise.settings import Settings
from slotwise.webhooks.delivery import Deliverer, Outcome
from slotwise.webhooks.queue import DeliveryQueue, QueuedDelivery
from slotwise.webhooks.retry import RETRY_DELAYS, retry_delay
from tests.support.factories import (
    Tenant,
    make_delivery,
    make_tenant,
    make_webhook,
    webhook_secret,
)
from tests.support.webhook_receiver import Receiver, Reply
from tests.webhooks.conftest import FakeClock


@dataclass(frozen=True)
class Ctx:
    settings: Settings
    tenant: Tenant
    receiver: Receiver
    deliverer: Deliverer
    clock: FakeClock
    sessions: async_sessionmaker[AsyncSession]

    async def webhook(self, **values: Any) -> WebhookEndpoint:
        return await make_webhook(self.settings, self.tenant, **values)

    async def delivery(self, **values: Any) -> list[uuid.UUID]:
        return await make_delivery(self.settings, self.tenant, **values)

    async def deliver(self, delivery_id: uuid.UUID) -> Outcome:
        outcome = await self.deliverer.deliver(delivery_id)
        assert outcome is not None
        return outcome

    async def load(self, delivery_id: uuid.UUID) -> QueuedDelivery:
        async with self.sessions() as session:
            found = await DeliveryQueue(session).load(delivery_id)
            assert found is not None
            return found

    async def audits(self) -> list[WebhookAudit]:
        async with self.sessions() as session:
            return list((await session.scalars(select(WebhookAudit))).all())


@pytest.fixture
def ctx(
    *,
    settings: Settings,
    tenant: Tenant,
    receiver: Receiver,
    deliverer: Deliverer,
    clock: FakeClock,
    sessions: async_sessionmaker[AsyncSession],
) -> Ctx:
    return Ctx(settings, tenant, receiver, deliverer, clock, sessions)


async def test_signed_bytes_equal_sent_bytes(ctx: Ctx) -> None:
    webhook = await ctx.webhook(url=ctx.receiver.url(), headers={"X-Api-Key": "k-123"})
    (delivery_id,) = await ctx.delivery(
        payload={"userId": "u1", "email": "ü@example.test", "secret": "nope"},
    )
    outcome = await ctx.deliver(delivery_id)
    assert (outcome.status, outcome.status_code, outcome.error) == (
        DeliveryStatus.DELIVERED,
        200,
        None,
    )
    (got,) = ctx.receiver.received
    stored = await ctx.load(delivery_id)
    assert got.body == stored.event.payload
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-api-key"] == "k-123"
    assert got.headers["webhook-id"] == stored.event.msg_id
    assert got.headers["webhook-id"].startswith("msg_")
    assert "." not in got.headers["webhook-id"]
    assert int(got.headers["webhook-timestamp"]) == int(ctx.deliverer.clock().timestamp())
    body = Webhook(webhook_secret(ctx.settings, webhook)).verify(got.body, got.headers)
    assert body["webhookType"] == "new_employee"
    assert body["eventId"] == stored.event.msg_id
    assert body["email"] == "ü@example.test"
    assert "secret" not in body
    assert stored.delivery.status is DeliveryStatus.DELIVERED
    assert (stored.endpoint.success_count, stored.endpoint.failure_count) == (1, 0)


async def test_retry_schedule_then_failed(ctx: Ctx) -> None:
    ctx.receiver.plan("/fail", Reply(500, body=b"boom"))
    await ctx.webhook(url=ctx.receiver.url("/fail"))
    (delivery_id,) = await ctx.delivery()
    times = []
    outcome = await ctx.deliver(delivery_id)
    times.append(ctx.clock.now)
    while outcome.status is DeliveryStatus.PENDING:
        assert outcome.next_attempt_at is not None
        ctx.clock.to(outcome.next_attempt_at)
        outcome = await ctx.deliver(delivery_id)
        times.append(ctx.clock.now)
    assert outcome.status is DeliveryStatus.FAILED
    assert len(times) == 11  # the first attempt and maxRetries = 10 retries
    assert [b - a for a, b in itertools.pairwise(times)] == list(RETRY_DELAYS)
    assert times[-1] - times[0] == timedelta(hours=75, minutes=35, seconds=5)
    assert len(ctx.receiver.on("/fail")) == 11
    assert {r.headers["webhook-id"] for r in ctx.receiver.on("/fail")} == {
        ctx.receiver.received[0].headers["webhook-id"]
    }
    stored = await ctx.load(delivery_id)
    assert stored.delivery.attempts == 11
    assert stored.endpoint.failure_count == 11
    assert stored.endpoint.status is EndpointStatus.ACTIVE  # 75 h of failures, not 120


def test_retry_delays_have_bounded_jitter() -> None:
    import secrets

    rng = secrets.SystemRandom()
    for retry, base in enumerate(RETRY_DELAYS, start=1):
        for _ in range(50):
            delay = retry_delay(retry, rng)
            assert base * 0.85 <= delay <= base * 1.15


async def test_max_retries_caps_attempts(ctx: Ctx) -> None:
    ctx.receiver.plan("/fail", Reply(503))
    await ctx.webhook(url=ctx.receiver.url("/fail"), max_retries=2)
    (delivery_id,) = await ctx.delivery()
    statuses = []
    for _ in range(3):
        outcome = await ctx.deliver(delivery_id)
        statuses.append(outcome.status)
        ctx.clock.advance(minutes=10)
    assert statuses == [DeliveryStatus.PENDING, DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    assert await ctx.deliverer.deliver(delivery_id) is None


async def test_endpoint_failing_for_five_days_is_disabled(
    client: AsyncTestClient[Litestar], ctx: Ctx
) -> None:
    ctx.receiver.plan("/down", Reply(502))
    webhook = await ctx.webhook(url=ctx.receiver.url("/down"))
    started = ctx.clock.now
    disabled_at = None
    while disabled_at is None:
        assert ctx.clock.now - started < timedelta(days=7)
        (delivery_id,) = await ctx.delivery()
        outcome = await ctx.deliver(delivery_id)
        while outcome.status is DeliveryStatus.PENDING and not outcome.endpoint_disabled:
            assert outcome.next_attempt_at is not None
            ctx.clock.to(outcome.next_attempt_at)
            outcome = await ctx.deliver(delivery_id)
        if outcome.endpoint_disabled:
            disabled_at = ctx.clock.now
        ctx.clock.advance(hours=1)
    # at the first failed attempt once 120 h have passed (attempts are up to 24 h apart)
    assert timedelta(hours=120) <= disabled_at - started < timedelta(hours=144)
    (audit,) = await ctx.audits()
    assert (audit.action, audit.endpoint_id) == ("webhook_disabled", webhook.id)
    assert "120 hours" in audit.reason
    headers = ctx.tenant.headers()
    shown = (await client.get(f"/v4/webhooks/{webhook.id}", headers=headers)).json()
    assert shown["status"] == "disabled"
    assert await ctx.delivery() == []  # a disabled endpoint gets no new events

    # re-enabled by the company: events flow again, with a fresh failure ctx.clock
    ctx.receiver.plan("/down", Reply(204))
    patched = await client.patch(
        f"/v4/webhooks/{webhook.id}", json={"status": "active"}, headers=headers
    )
    assert patched.json()["status"] == "active"
    (delivery_id,) = await ctx.delivery()
    assert (await ctx.deliver(delivery_id)).status is DeliveryStatus.DELIVERED


async def test_3xx_is_a_failure_and_not_followed(ctx: Ctx) -> None:
    ctx.receiver.plan("/moved", Reply(302, headers={"location": ctx.receiver.url("/elsewhere")}))
    await ctx.webhook(url=ctx.receiver.url("/moved"))
    (delivery_id,) = await ctx.delivery()
    outcome = await ctx.deliver(delivery_id)
    assert (outcome.status, outcome.status_code, outcome.error) == (
        DeliveryStatus.PENDING,
        302,
        "redirect",
    )
    assert ctx.receiver.on("/elsewhere") == []


async def test_410_disables_the_endpoint(ctx: Ctx) -> None:
    ctx.receiver.plan("/gone", Reply(410))
    webhook = await ctx.webhook(url=ctx.receiver.url("/gone"))
    first, second = (
        (await ctx.delivery())[0],
        (await ctx.delivery())[0],
    )
    outcome = await ctx.deliver(first)
    assert (outcome.status, outcome.endpoint_disabled) == (DeliveryStatus.FAILED, True)
    (audit,) = await ctx.audits()
    assert audit.endpoint_id == webhook.id
    assert "410" in audit.reason
    skipped = await ctx.deliver(second)
    assert skipped.status is DeliveryStatus.SKIPPED
    assert len(ctx.receiver.on("/gone")) == 1


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("120", timedelta(seconds=120)),
        ("http-date+3600", timedelta(hours=1)),
        ("864000", timedelta(hours=24)),  # ten days asked, clamped to the longest step
        ("soon", timedelta(0)),  # unreadable: the schedule alone (retry 1 is immediate)
    ],
)
async def test_retry_after_is_honoured(retry_after: str, expected: timedelta, ctx: Ctx) -> None:
    if retry_after.startswith("http-date"):
        when = ctx.clock.now.replace(microsecond=0) + timedelta(hours=1)
        retry_after = email.utils.format_datetime(when, usegmt=True)
        ctx.clock.now = ctx.clock.now.replace(microsecond=0)
    ctx.receiver.plan("/busy", Reply(429, headers={"retry-after": retry_after}))
    await ctx.webhook(url=ctx.receiver.url("/busy"))
    (delivery_id,) = await ctx.delivery()
    outcome = await ctx.deliver(delivery_id)
    assert outcome.status is DeliveryStatus.PENDING
    assert outcome.next_attempt_at == ctx.clock.now + expected


@pytest.mark.parametrize(
    "retry_after",
    ["99999999999999999", "²", "-5", "Fri, 31 Dec 99999 23:59:59 GMT"],
)
async def test_a_malformed_retry_after_is_a_recorded_attempt(retry_after: str, ctx: Ctx) -> None:
    ctx.receiver.plan("/odd", Reply(503, headers={"retry-after": retry_after}))
    await ctx.webhook(url=ctx.receiver.url("/odd"))
    (delivery_id,) = await ctx.delivery()
    outcome = await ctx.deliver(delivery_id)
    assert (outcome.status, outcome.status_code, outcome.error) == (
        DeliveryStatus.PENDING,
        503,
        "http_status",
    )
    assert outcome.next_attempt_at is not None
    assert ctx.clock.now <= outcome.next_attempt_at <= ctx.clock.now + RETRY_DELAYS[-1]
    stored = await ctx.load(delivery_id)
    assert (stored.delivery.status, stored.delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert stored.delivery.next_attempt_at == outcome.next_attempt_at
    async with ctx.sessions() as session:
        (attempt,) = (await session.scalars(select(WebhookAttempt))).all()
    assert (attempt.delivery_id, attempt.attempt, attempt.status_code) == (delivery_id, 1, 503)


async def test_timeout_is_a_failure(ctx: Ctx) -> None:
    ctx.receiver.plan("/slow", Reply(200, delay=3))
    await ctx.webhook(url=ctx.receiver.url("/slow"), timeout_seconds=1)
    (delivery_id,) = await ctx.delivery()
    started = time.monotonic()
    outcome = await ctx.deliver(delivery_id)
    assert time.monotonic() - started < 2.5
    assert (outcome.status, outcome.error, outcome.status_code) == (
        DeliveryStatus.PENDING,
        "timeout",
        None,
    )


async def test_a_header_http_cannot_carry_is_a_failed_attempt_not_a_crash(ctx: Ctx) -> None:
    # stored before header values had to be ASCII; the API refuses such values now
    await ctx.webhook(url=ctx.receiver.url("/h"), headers={"X-Team": "Zürich"})
    (delivery_id,) = await ctx.delivery()
    outcome = await ctx.deliver(delivery_id)
    assert (outcome.status, outcome.error) == (DeliveryStatus.PENDING, "invalid_header")
    assert ctx.receiver.on("/h") == []


async def test_connection_refused_is_a_failure(ctx: Ctx) -> None:
    await ctx.webhook(url="http://127.0.0.1:9/closed")
    (delivery_id,) = await ctx.delivery()
    outcome = await ctx.deliver(delivery_id)
    assert (outcome.status, outcome.error) == (DeliveryStatus.PENDING, "connect")


async def test_a_hanging_endpoint_does_not_delay_another(ctx: Ctx) -> None:
    ctx.receiver.plan("/hang", Reply(200, delay=5))
    await ctx.webhook(url=ctx.receiver.url("/hang"), timeout_seconds=2)
    await ctx.webhook(url=ctx.receiver.url("/fast"))
    deliveries = await ctx.delivery()
    started = time.time()
    outcomes = await asyncio.gather(*(ctx.deliver(d) for d in deliveries))
    assert sorted(o.error or "ok" for o in outcomes) == ["ok", "timeout"]
    (fast,) = ctx.receiver.on("/fast")
    assert fast.at - started < 0.5


async def test_one_attempt_is_sent_once_however_many_workers_try(ctx: Ctx) -> None:
    ctx.receiver.plan("/hook", Reply(200, delay=0.2))
    await ctx.webhook(url=ctx.receiver.url())
    (delivery_id,) = await ctx.delivery()
    workers = [
        Deliverer(ctx.sessions, ctx.deliverer.sender, ctx.settings, clock=ctx.deliverer.clock)
        for _ in range(4)
    ]
    outcomes = await asyncio.gather(*(w.deliver(delivery_id) for w in workers for _ in range(3)))
    assert [o.status for o in outcomes if o is not None] == [DeliveryStatus.DELIVERED]
    assert len(ctx.receiver.received) == 1


async def test_relay_finds_due_rows_and_takes_over_from_a_dead_worker(ctx: Ctx) -> None:
    await ctx.webhook(url=ctx.receiver.url(), timeout_seconds=3)
    (delivery_id,) = await ctx.delivery()
    assert await ctx.deliverer.relay() == [Due(delivery_id, 1, again=False)]
    assert await ctx.deliverer.relay() == []  # woken already; not again before the margin passes
    # a worker claims attempt 1 and dies before sending
    async with ctx.sessions() as session, session.begin():
        claimed = await DeliveryQueue(session).claim(
            delivery_id, ctx.clock.now, ctx.clock.now + timedelta(seconds=4)
        )
    assert claimed == 1
    assert await ctx.deliverer.deliver(delivery_id) is None  # held by the "dead" worker
    ctx.clock.advance(seconds=2)
    assert await ctx.deliverer.relay() == []
    ctx.clock.advance(seconds=3)  # its lease is over
    assert await ctx.deliverer.relay() == [Due(delivery_id, 2, again=True)]
    outcome = await ctx.deliver(delivery_id)
    assert (outcome.attempt, outcome.status) == (2, DeliveryStatus.DELIVERED)
    assert len(ctx.receiver.received) == 1


async def test_busy_endpoint_queues_the_delivery_behind_running_ones(ctx: Ctx) -> None:
    webhook = await ctx.webhook(url=ctx.receiver.url())
    (first,) = await ctx.delivery()
    (second,) = await ctx.delivery()
    ctx.deliverer.in_flight[webhook.id] = ctx.deliverer.per_endpoint  # every slot is sending
    assert await ctx.deliverer.deliver(first) is None  # its job returns at once
    assert list(ctx.deliverer.waiting[webhook.id]) == [first]
    del ctx.deliverer.in_flight[webhook.id]
    # the next job for the endpoint sends its own delivery, then the waiting one
    assert (await ctx.deliver(second)).status is DeliveryStatus.DELIVERED
    assert webhook.id not in ctx.deliverer.waiting
    assert ctx.deliverer.in_flight == {}
    assert {r.headers["webhook-id"] for r in ctx.receiver.received} == {
        (await ctx.load(d)).event.msg_id for d in (first, second)
    }


async def test_a_delivery_queued_after_another_job_finished_draining_is_still_sent(
    ctx: Ctx,
) -> None:
    """Two jobs drain one endpoint's waiting line; the one that finds it empty first must not
    drop a line started after it (that delivery would wait for the relay, a lease later)."""
    await ctx.webhook(url=ctx.receiver.url())
    ids = [(await ctx.delivery())[0] for _ in range(5)]
    ctx.deliverer.per_endpoint = 2
    # answers in the order the attempts arrive: d1, d2, d3 (drained by d2's job), d4, d5
    ctx.receiver.plan(
        "/hook", Reply(delay=1.0), Reply(delay=0.3), Reply(delay=1.0), Reply(delay=1.0), Reply()
    )
    jobs = [asyncio.create_task(ctx.deliverer.deliver(ids[0]))]
    await asyncio.sleep(0.05)
    jobs.append(asyncio.create_task(ctx.deliverer.deliver(ids[1])))
    await asyncio.sleep(0.05)
    assert await ctx.deliverer.deliver(ids[2]) is None  # waits behind the two
    await asyncio.sleep(1.0)  # d1's job has found the line empty and left; d2's sends d3
    jobs.append(asyncio.create_task(ctx.deliverer.deliver(ids[3])))
    await asyncio.sleep(0.05)
    assert await ctx.deliverer.deliver(ids[4]) is None  # a new line, behind d3 and d4
    await asyncio.gather(*jobs)
    statuses = [(await ctx.load(d)).delivery.status for d in ids]
    assert statuses == [DeliveryStatus.DELIVERED] * 5
    assert ctx.deliverer.waiting == {}
    assert ctx.deliverer.in_flight == {}


async def test_rotation_window_signs_with_both_secrets(ctx: Ctx) -> None:
    from slotwise.webhooks import signing

    old = signing.new_secret()
    webhook = await ctx.webhook(
        url=ctx.receiver.url(),
        previous_secret=old,
        previous_secret_expires_at=ctx.clock.now + timedelta(hours=1),
    )
    (delivery_id,) = await ctx.delivery()
    await ctx.deliver(delivery_id)
    (got,) = ctx.receiver.received
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(webhook_secret(ctx.settings, webhook)).verify(got.body, got.headers)


async def test_endpoint_stats_count_attempts(ctx: Ctx) -> None:
    ctx.receiver.plan("/flaky", Reply(500), Reply(500), Reply(200))
    webhook = await ctx.webhook(url=ctx.receiver.url("/flaky"))
    (delivery_id,) = await ctx.delivery()
    outcome = await ctx.deliver(delivery_id)
    while outcome.status is DeliveryStatus.PENDING:
        assert outcome.next_attempt_at is not None
        ctx.clock.to(outcome.next_attempt_at)
        outcome = await ctx.deliver(delivery_id)
    async with ctx.sessions() as session:
        row = await session.get(WebhookEndpoint, (ctx.tenant.company_id, webhook.id))
        assert row is not None
        assert (row.success_count, row.failure_count) == (1, 2)
        assert row.failing_since is None
        assert row.last_success_at == ctx.clock.now


async def test_a_company_at_its_limit_is_turned_away_without_an_attempt(ctx: Ctx) -> None:
    webhook = await ctx.webhook(url=ctx.receiver.url())
    (delivery_id,) = await ctx.delivery()
    assert await ctx.deliverer.relay() == [Due(delivery_id, 1, again=False)]
    company = ctx.tenant.company_id
    ctx.deliverer.company_in_flight[company] = ctx.deliverer.per_company  # every slot is sending
    assert await ctx.deliverer.deliver(delivery_id) is None  # its job returns at once
    queued = await ctx.load(delivery_id)
    assert (queued.delivery.status, queued.delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert webhook.id not in ctx.deliverer.waiting
    assert webhook.id not in ctx.deliverer.in_flight
    assert ctx.receiver.received == []
    del ctx.deliverer.company_in_flight[company]
    ctx.clock.advance(seconds=ctx.settings.webhook_lease_margin_seconds + 1)
    # the relay wakes it again once its wake-up lease is over, and it goes out
    assert await ctx.deliverer.relay() == [Due(delivery_id, 1, again=True)]
    outcome = await ctx.deliver(delivery_id)
    assert (outcome.attempt, outcome.status) == (1, DeliveryStatus.DELIVERED)
    assert ctx.deliverer.company_in_flight == {}


async def test_a_company_at_its_limit_queues_behind_its_own_running_attempts(ctx: Ctx) -> None:
    """The company's slots are all sending to this endpoint: the next delivery waits behind
    them and goes out in their slots, not a wake-up lease later."""
    await ctx.webhook(url=ctx.receiver.url())
    ids = [(await ctx.delivery())[0] for _ in range(4)]
    ctx.deliverer.per_company = 2
    ctx.receiver.plan("/hook", Reply(delay=0.5), Reply(delay=0.5), Reply())
    jobs = [asyncio.create_task(ctx.deliverer.deliver(d)) for d in ids[:2]]
    await asyncio.sleep(0.2)
    assert [await ctx.deliverer.deliver(d) for d in ids[2:]] == [None, None]
    await asyncio.gather(*jobs)
    statuses = [(await ctx.load(d)).delivery.status for d in ids]
    assert statuses == [DeliveryStatus.DELIVERED] * 4
    assert ctx.deliverer.company_in_flight == {}
    assert ctx.deliverer.waiting == {}


async def test_relay_takes_every_company_in_a_pass_however_large_one_backlog(ctx: Ctx) -> None:
    for n in range(5):
        await ctx.webhook(url=ctx.receiver.url(f"/a{n}"))
    backlog = await ctx.delivery()  # due before the other company's row
    other = await make_tenant(ctx.settings, "Other")
    await make_webhook(ctx.settings, other, url=ctx.receiver.url("/b"))
    (theirs,) = await make_delivery(ctx.settings, other)
    woken = {due.row_id for due in await ctx.deliverer.relay(limit=3)}
    assert theirs in woken
    assert len(woken & set(backlog)) == 2
