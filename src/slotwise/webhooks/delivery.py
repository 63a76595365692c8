"""Delivering webhooks: one delivery attempt from claim to record (the schedule is `retry`).

An attempt is claimed in its own short transaction (exactly one worker wins it), sent with no
transaction open (through `sender.Sender`), and recorded in another. 2xx is delivered; 410
disables the endpoint; anything else is retried on the schedule, honouring Retry-After.
"""

import asyncio
import dataclasses
import logging
import secrets
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.db.leases import Due, give_back
from slotwise.db.tenancy import CompanyId
from slotwise.kit.clock import Clock, utc_now
from slotwise.kit.metrics import WEBHOOK_DELIVERIES
from slotwise.kit.sealing import Keyring, SealError
from slotwise.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookAudit,
    WebhookEndpoint,
    WebhookEvent,
)
from slotwise.settings import Settings
from slotwise.webhooks import sealed_secrets, signing
from slotwise.webhooks.queue import DeliveryQueue, QueuedDelivery
from slotwise.webhooks.repository import (
    AttemptRepository,
    AuditRepository,
    DeliveryRepository,
    EndpointRepository,
)
from slotwise.webhooks.retry import Random, next_attempt_at, parse_retry_after
from slotwise.webhooks.sender import Sender, Sent

log = logging.getLogger("slotwise.webhooks")

#: one endpoint may use at most this share of a worker's job slots at a time
ENDPOINT_SHARE_OF_JOBS = 4
#: a job that sent its own attempt goes on with the endpoint's waiting deliveries this long
DRAIN_SECONDS = 15.0
#: the longest endpoint timeout (the API's limit and the column's check)
MAX_ENDPOINT_TIMEOUT_SECONDS = 30


def longest_job_seconds(settings: Settings) -> float:
    """The longest a deliver job can run: its own attempt, then draining for `DRAIN_SECONDS`
    with one more attempt that may start just before that ends. Each attempt is its endpoint
    timeout plus the lease margin (claim and record; the margin its lease allows too)."""
    attempt = MAX_ENDPOINT_TIMEOUT_SECONDS + settings.webhook_lease_margin_seconds
    return attempt + DRAIN_SECONDS + attempt


@dataclass(frozen=True)
class Outcome:
    delivery_id: uuid.UUID
    attempt: int
    status: DeliveryStatus
    status_code: int | None = None
    error: str | None = None
    next_attempt_at: datetime | None = None
    endpoint_disabled: bool = False


#: the outcome label of each status an attempt or a skip leaves a delivery in
OUTCOME_LABELS = {
    DeliveryStatus.DELIVERED: "delivered",
    DeliveryStatus.PENDING: "retry",
    DeliveryStatus.FAILED: "failed",
    DeliveryStatus.SKIPPED: "skipped",
}


def count_outcome(outcome: Outcome) -> Outcome:
    label = OUTCOME_LABELS.get(outcome.status)
    if label is not None:
        WEBHOOK_DELIVERIES.labels(label).inc()
    return outcome


#: the error class of an attempt not sent because the endpoint's secret could not be opened
SECRET_UNREADABLE = "secret_unreadable"  # noqa: S105 - an error class, not a secret


async def send_attempt(
    sender: Sender, keyring: Keyring, endpoint: WebhookEndpoint, event: WebhookEvent, now: datetime
) -> Sent:
    """Sign the stored bytes for this attempt and POST them.

    A secret no listed key opens (its key was dropped from SLOTWISE_SECRET_KEYS) fails the
    attempt without sending it, loudly in the log: the delivery is retried on its schedule, so
    it goes out once the key is listed again.
    """
    try:
        secrets_ = sealed_secrets.signing_secrets(keyring, endpoint, now)
    except SealError as exc:
        log.error(
            "webhook endpoint %s: its signing secret cannot be opened (%s); attempt not sent",
            endpoint.id,
            exc,
        )
        return Sent(started_at=now, duration_ms=0, status_code=None, error=SECRET_UNREADABLE)
    headers = dict(endpoint.headers or {})
    headers["content-type"] = "application/json"
    timestamp = int(now.timestamp())
    headers |= signing.headers(secrets_, event.msg_id, timestamp, event.payload)
    return await sender.send(
        endpoint.url,
        headers,
        event.payload,
        endpoint.timeout_seconds,
        now,
        verify=endpoint.verify_ssl,
    )


class Recorder:
    """Writes an attempt's result: the attempt row, the delivery state, the endpoint's stats."""

    def __init__(self, settings: Settings, rng: Random) -> None:
        self.disable_after = timedelta(hours=settings.webhook_disable_after_hours)
        self.rng = rng

    async def record(
        self,
        session: AsyncSession,
        company_id: CompanyId,
        queued: QueuedDelivery,
        attempt: int,
        *,
        sent: Sent,
        now: datetime,
    ) -> Outcome:
        delivery, endpoint = queued.delivery, queued.endpoint
        await AttemptRepository(session, company_id).record(delivery.id, attempt, sent)
        outcome, values = self._decide(queued, attempt, sent, now)
        values |= {
            "last_status_code": sent.status_code,
            "last_error": sent.error,
            "last_duration_ms": sent.duration_ms,
        }
        await DeliveryRepository(session, company_id).finish(delivery.id, attempt, values)
        endpoints = EndpointRepository(session, company_id)
        if sent.delivered:
            await endpoints.count_success(endpoint.id, now)
            return outcome
        if sent.error == SECRET_UNREADABLE:
            return outcome  # our configuration failed, not the endpoint: no strike against it
        failing_since = await endpoints.count_failure(endpoint.id, now)
        reason = None
        if sent.status_code == 410:
            reason = "the endpoint answered 410 Gone"
        elif failing_since is not None and now - failing_since >= self.disable_after:
            hours = self.disable_after.total_seconds() / 3600
            reason = f"every attempt failed for {hours:g} hours"
        if reason and await disable_endpoint(session, company_id, endpoint.id, reason, now):
            return dataclasses.replace(outcome, endpoint_disabled=True)
        return outcome

    def _decide(
        self, queued: QueuedDelivery, attempt: int, sent: Sent, now: datetime
    ) -> tuple[Outcome, dict[str, Any]]:
        delivery_id = queued.delivery.id
        if sent.delivered:
            outcome = Outcome(delivery_id, attempt, DeliveryStatus.DELIVERED, sent.status_code)
            return outcome, {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
        retry_at = None
        if sent.status_code != 410:
            retry_after = parse_retry_after(sent.retry_after, now)
            retry_at = next_attempt_at(
                attempt, queued.endpoint.max_retries, retry_after, now, self.rng
            )
        if retry_at is None:
            outcome = Outcome(
                delivery_id, attempt, DeliveryStatus.FAILED, sent.status_code, sent.error
            )
            return outcome, {"status": DeliveryStatus.FAILED}
        outcome = Outcome(
            delivery_id, attempt, DeliveryStatus.PENDING, sent.status_code, sent.error, retry_at
        )
        return outcome, {"status": DeliveryStatus.PENDING, "next_attempt_at": retry_at}


async def disable_endpoint(
    session: AsyncSession, company_id: CompanyId, endpoint_id: uuid.UUID, reason: str, now: datetime
) -> bool:
    """Switch an active endpoint off and keep a `webhook_disabled` audit record."""
    if not await EndpointRepository(session, company_id).disable(endpoint_id):
        return False
    AuditRepository(session, company_id).add(
        WebhookAudit(
            endpoint_id=endpoint_id,
            action="webhook_disabled",
            reason=reason,
            detail={},
            created_at=now,
        )
    )
    await session.flush()
    log.warning("webhook endpoint %s disabled: %s", endpoint_id, reason)
    return True


class Deliverer:
    """Delivers attempts of queued deliveries; the delivery job and the tests call it.

    Bulkhead: one process sends at most `per_endpoint` attempts to one endpoint at a time. A
    delivery that finds its endpoint at that limit waits in memory behind the running ones and
    its job returns at once, freeing the job slot; the jobs already sending to that endpoint
    take the waiting deliveries next. The in-memory queue is only an ordering hint: the rows
    stay pending, so if the process dies the relay wakes them again.

    A second bulkhead per company: one process sends at most `per_company` attempts of one
    company at a time (`webhook_max_concurrent_per_company`), so a slow tenant with many
    endpoints cannot take every job slot. A delivery whose company is at that limit waits
    behind its endpoint's running attempts if there are any; otherwise it is not claimed (no
    attempt is counted) and its job returns at once; the row stays pending and the relay wakes
    it again once its wake-up lease (the lease margin) is over.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        rng: Random | None = None,
    ) -> None:
        self.sessions = sessions
        self.sender = sender
        self.clock = clock
        self.keyring = settings.keyring()
        self.lease_margin = timedelta(seconds=settings.webhook_lease_margin_seconds)
        self.recorder = Recorder(settings, rng or secrets.SystemRandom())
        self.per_endpoint = max(1, settings.worker_max_jobs // ENDPOINT_SHARE_OF_JOBS)
        self.per_company = settings.webhook_max_concurrent_per_company
        self.in_flight: Counter[uuid.UUID] = Counter()
        self.company_in_flight: Counter[uuid.UUID] = Counter()
        self.waiting: defaultdict[uuid.UUID, deque[uuid.UUID]] = defaultdict(deque)
        #: set when the worker is stopping: jobs send their own attempt and take no more
        self.stopping = False

    def _admit(self, queued: QueuedDelivery) -> bool:
        """Take a slot of the endpoint and one of its company, or queue the delivery behind the
        endpoint's running attempts (whose jobs hold company slots) when either is full, or turn
        it away for the relay to wake again when its company's slots are all sending elsewhere."""
        endpoint_id, company_id = queued.endpoint.id, queued.delivery.company_id
        company_full = self.company_in_flight[company_id] >= self.per_company
        if self.in_flight[endpoint_id] >= self.per_endpoint or (
            company_full and self.in_flight[endpoint_id]
        ):
            self.waiting[endpoint_id].append(queued.delivery.id)
            return False
        if company_full:
            return False
        self.in_flight[endpoint_id] += 1
        self.company_in_flight[company_id] += 1
        return True

    async def _claim(
        self, delivery_id: uuid.UUID, *, slot_held: bool
    ) -> tuple[QueuedDelivery, int] | None:
        """Take the next attempt; None if it is not ours to send (done, not due, taken, or
        waiting for a slot). Attempt 0: the endpoint is not active, the delivery was skipped.

        Unless the caller already holds a slot of the endpoint, a claimed attempt holds one
        (`in_flight`) and one of its company that the caller releases.
        """
        now = self.clock()
        reserved: QueuedDelivery | None = None
        try:
            async with self.sessions() as session, session.begin():
                queue = DeliveryQueue(session)
                queued = await queue.load(delivery_id)
                if queued is None:
                    return None
                if queued.endpoint.status is not EndpointStatus.ACTIVE:
                    skipped = await queue.skip(delivery_id, now)
                    return (queued, 0) if skipped else None
                if not slot_held:
                    if not self._admit(queued):
                        return None
                    reserved = queued
                lease = timedelta(seconds=queued.endpoint.timeout_seconds) + self.lease_margin
                attempt = await queue.claim(delivery_id, now, now + lease)
        except BaseException:
            if reserved is not None:
                self._release(reserved)
            raise
        if attempt is None:
            if reserved is not None:
                self._release(reserved)
            return None
        return queued, attempt

    def _release(self, queued: QueuedDelivery) -> None:
        for held, key in (
            (self.in_flight, queued.endpoint.id),
            (self.company_in_flight, queued.delivery.company_id),
        ):
            held[key] -= 1
            if held[key] <= 0:
                del held[key]

    async def _attempt(self, queued: QueuedDelivery, attempt: int) -> Outcome:
        delivery_id = queued.delivery.id
        try:
            sent = await send_attempt(
                self.sender, self.keyring, queued.endpoint, queued.event, self.clock()
            )
            company_id = CompanyId(queued.delivery.company_id)
            async with self.sessions() as session, session.begin():
                outcome = await self.recorder.record(
                    session, company_id, queued, attempt, sent=sent, now=self.clock()
                )
        except asyncio.CancelledError:
            # the worker is stopping before the attempt was recorded: another worker sends it
            # now rather than after the lease (the endpoint may get it twice, same webhook-id)
            await give_back(self.sessions, lambda s: DeliveryQueue(s).release(delivery_id, attempt))
            raise
        return count_outcome(outcome)

    async def _drain(self, endpoint_id: uuid.UUID) -> None:
        """Send the endpoint's waiting deliveries in the slot this job holds, for a while."""
        deadline = time.monotonic() + DRAIN_SECONDS
        while (
            (waiting := self.waiting.get(endpoint_id))
            and time.monotonic() < deadline
            and not self.stopping
        ):
            claimed = await self._claim(waiting.popleft(), slot_held=True)
            if claimed is not None and claimed[1]:
                await self._attempt(*claimed)
        # looked up again: another job may have emptied and dropped the line this job saw
        # while a new one formed behind it
        if self.waiting.get(endpoint_id) == deque():
            del self.waiting[endpoint_id]

    async def deliver(self, delivery_id: uuid.UUID) -> Outcome | None:
        """Claim, send and record the next attempt, then help with the endpoint's waiting
        deliveries; None when there was nothing to do here."""
        claimed = await self._claim(delivery_id, slot_held=False)
        if claimed is None:
            return None
        queued, attempt = claimed
        if attempt == 0:
            return count_outcome(
                Outcome(delivery_id, queued.delivery.attempts, DeliveryStatus.SKIPPED)
            )
        try:
            outcome = await self._attempt(queued, attempt)
            await self._drain(queued.endpoint.id)
        finally:
            self._release(queued)
        return outcome

    async def relay(self, limit: int = 500) -> list[Due]:
        """Claim due deliveries for wake-ups."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            return await DeliveryQueue(session).due(now, now + self.lease_margin, limit)
