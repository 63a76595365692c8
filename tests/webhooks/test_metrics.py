"""Webhook attempts are counted by outcome; the worker's jobs are timed by name and served on
the worker's own metrics port."""

import time
from typing import Any

import httpx
import pytest
from litestar import Litestar
from redis.asyncio import Redis

from slotwise.jobs import HEARTBEAT_KEY
from slotwise.models import DeliveryStatus
from slotwise.settings import Settings
from slotwise.webhooks.delivery import Deliverer
from slotwise.worker import worker_options
from tests.support.factories import Tenant, make_delivery, make_webhook
from tests.support.metrics import AUTH, TOKEN, local, scraped
from tests.support.servers import free_port
from tests.support.webhook_receiver import Receiver, Reply
from tests.support.worker_process import running_worker

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


@pytest.mark.slow
def test_the_worker_serves_its_job_metrics_on_its_port(app: Litestar, settings: Settings) -> None:
    """(`app`: the Redis keys the worker leaves are removed afterwards.)"""
    port = free_port()
    env = {
        "SLOTWISE_METRICS_TOKEN": TOKEN,
        "SLOTWISE_WORKER_METRICS_PORT": str(port),
        # the API servers' directory is not the worker's: it keeps its values in its process
        "PROMETHEUS_MULTIPROC_DIR": "/nonexistent/metrics",
    }
    relays = 0.0
    with running_worker(settings, **env):
        url = f"http://127.0.0.1:{port}/metrics"
        assert httpx.get(url, timeout=5).status_code == 401
        deadline = time.monotonic() + 10
        while not relays and time.monotonic() < deadline:
            answered = httpx.get(url, headers=AUTH, timeout=5)
            assert answered.status_code == 200
            relays = scraped(answered.text, JOBS, job="webhooks.relay", outcome="ok")
            time.sleep(0.1)
    assert relays >= 1  # the relay runs at startup
