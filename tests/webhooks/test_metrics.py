"""Webhook attempts are counted by outcome; the worker's jobs are timed by name."""

from typing import Any

import pytest
from redis.asyncio import Redis

from slotwise.jobs import HEARTBEAT_KEY
from slotwise.models import DeliveryStatus
from slotwise.settings import Settings
from slotwise.webhooks.delivery import Deliverer
from slotwise.worker import worker_options
from tests.support.factories import Tenant, make_delivery, make_webhook
from tests.support.metrics import local
from tests.support.webhook_receiver import Receiver, Reply

DELIVERIES = "slotwise_webhook_deliveries_total"
JOBS = "slotwise_job_duration_seconds_count"


async def test_attempts_are_counted_by_outcome(
    settings: Settings, tenant: Tenant, receiver: Receiver, deliverer: Deliverer
) -> None:
    before = {outcome: local(DELIVERIES, outcome=outcome) for outcome in ("delivered", "retry")}
    receiver.plan("/fail", Reply(500))
    await make_webhook(settings, tenant, url=receiver.url())
    await make_webhook(settings, tenant, url=receiver.url("/fail"))
    outcomes = [await deliverer.deliver(d) for d in await make_delivery(settings, tenant)]
    assert sorted(o.status for o in outcomes if o) == [
        DeliveryStatus.DELIVERED,
        DeliveryStatus.PENDING,
    ]
    assert local(DELIVERIES, outcome="delivered") - before["delivered"] == 1
    assert local(DELIVERIES, outcome="retry") - before["retry"] == 1


def _job(settings: Settings, name: str) -> Any:
    options = worker_options(settings)
    (job,) = [j for j in [*options["functions"], *options["cron_jobs"]] if j.name == name]
    return job.coroutine


async def test_worker_jobs_are_timed_by_name(settings: Settings) -> None:
    heartbeat = _job(settings, "cron:heartbeat")
    ok_before = local(JOBS, job="cron:heartbeat", outcome="ok")
    error_before = local(JOBS, job="cron:heartbeat", outcome="error")
    redis = Redis.from_url(settings.redis_url or "")
    try:
        await heartbeat({"redis": redis})
    finally:
        await redis.delete(HEARTBEAT_KEY)
        await redis.aclose()
    with pytest.raises(KeyError):
        await heartbeat({})  # no Redis in its context: the job fails
    assert local(JOBS, job="cron:heartbeat", outcome="ok") - ok_before == 1
    assert local(JOBS, job="cron:heartbeat", outcome="error") - error_before == 1
    assert local("slotwise_job_duration_seconds_sum", job="cron:heartbeat", outcome="ok") > 0
    assert _job(settings, "webhooks.deliver").__wrapped__.__name__ == "deliver"
