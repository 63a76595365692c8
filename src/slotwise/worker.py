"""arq worker: its options, lifecycle and the registered jobs."""

import dataclasses
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from arq import cron, func
from arq.cron import CronJob
from arq.worker import Function, Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.bookings import completion
from slotwise.calendars import jobs as calendar_jobs
from slotwise.calendars.wakeups import PUSH as CALENDAR_PUSH
from slotwise.calendars.wakeups import SYNC as CALENDAR_SYNC
from slotwise.companies import jobs as company_jobs
from slotwise.companies.service import IMPORT_LOGO
from slotwise.db import retention
from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.jobs import (
    HEARTBEAT_KEY,
    carrying_request_id,
    deserialize,
    redis_settings,
    serialize,
)
from slotwise.kit.metrics import timed_job
from slotwise.mails import jobs as mail_jobs
from slotwise.notifications.outbox import SEND
from slotwise.settings import Settings, load_settings, require_secret_keys, warn_about_settings
from slotwise.webhooks import jobs as webhook_jobs
from slotwise.webhooks.delivery import Deliverer
from slotwise.webhooks.events import DELIVER

log = logging.getLogger("slotwise.worker")

#: how long the worker waits before it starts again after Redis went away
RESTART_DELAY_SECONDS = 1.0

#: how often an idle worker looks for new jobs (the wake-up latency)
POLL_DELAY_SECONDS = 0.02


async def heartbeat(ctx: dict[str, Any]) -> None:
    """Record that a worker is alive (readable by operators and the dev command)."""
    await ctx["redis"].set(HEARTBEAT_KEY, str(int(time.time())), ex=180)


PURGE_REPLAYS = "retention.purge_replays"


async def _in_batches(
    ctx: dict[str, Any], purge: Callable[[AsyncSession, datetime], Awaitable[int]], at: datetime
) -> int:
    """Run a retention purge a batch per transaction (no long lock on a big table) until a
    batch comes back short; how many rows went."""
    total = 0
    while True:
        async with ctx["sessionmaker"]() as session, session.begin():
            deleted = await purge(session, at)
        total += deleted
        if deleted < retention.BATCH:
            return total


async def purge_replays(ctx: dict[str, Any]) -> int:
    """Delete stored Idempotency-Key answers past their 24 hours."""
    return await _in_batches(ctx, retention.purge_expired_replays, datetime.now(UTC))


PURGE_OLD_ROWS = "retention.purge_old_rows"


async def purge_old_rows(ctx: dict[str, Any]) -> dict[str, int]:
    """Delete finished webhook deliveries (then the events none is left for), mails and audit
    entries past their retention; how many went, per table."""
    settings: Settings = ctx["settings"]
    now = datetime.now(UTC)
    plan = (
        (
            "webhook_delivery",
            retention.purge_webhook_deliveries,
            settings.webhook_delivery_retention_days,
        ),
        (
            "webhook_event",
            retention.purge_webhook_events,
            settings.webhook_delivery_retention_days,
        ),
        ("notification", retention.purge_notifications, settings.notification_retention_days),
        ("audit_log", retention.purge_audit_log, settings.audit_log_retention_days),
        ("change_log", retention.purge_change_log, settings.change_log_retention_days),
    )
    return {
        table: await _in_batches(ctx, purge, now - timedelta(days=days))
        for table, purge, days in plan
    }


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("settings") or load_settings(os.environ)
    require_secret_keys(settings)  # deliveries are signed with sealed secrets
    engine = create_engine(settings)
    ctx["settings"] = settings
    warn_about_settings(settings)
    ctx["engine"] = engine
    ctx["sessionmaker"] = create_sessionmaker(engine)
    await webhook_jobs.startup(ctx)
    await mail_jobs.startup(ctx)
    await calendar_jobs.startup(ctx)
    await heartbeat(ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    await webhook_jobs.shutdown(ctx)
    await ctx["engine"].dispose()


def functions(settings: Settings) -> list[Function]:
    return [
        func(
            webhook_jobs.deliver,
            name=DELIVER,
            timeout=webhook_jobs.deliver_timeout_seconds(settings),
            # no result kept: a later wake-up may reuse the job id at once
            keep_result=0,
            max_tries=3,
        ),
        func(company_jobs.import_logo, name=IMPORT_LOGO, timeout=60, keep_result=0, max_tries=3),
        func(
            mail_jobs.send,
            name=SEND,
            timeout=mail_jobs.SEND_TIMEOUT_SECONDS,
            keep_result=0,
            max_tries=3,
        ),
        func(
            calendar_jobs.sync,
            name=CALENDAR_SYNC,
            timeout=calendar_jobs.TIMEOUT_SECONDS,
            keep_result=0,
            max_tries=1,
        ),
        func(
            calendar_jobs.push,
            name=CALENDAR_PUSH,
            timeout=calendar_jobs.TIMEOUT_SECONDS,
            keep_result=0,
            max_tries=3,
        ),
    ]


def cron_jobs(relay_seconds: int = 5) -> list[CronJob]:
    return [
        cron(heartbeat, second={0, 30}, run_at_startup=False),
        cron(
            webhook_jobs.relay,
            name=webhook_jobs.RELAY,
            second=set(range(0, 60, relay_seconds)),
            run_at_startup=True,
            keep_result=0,
        ),
        cron(
            mail_jobs.relay,
            name=mail_jobs.RELAY,
            second=set(range(0, 60, relay_seconds)),
            run_at_startup=True,
            keep_result=0,
        ),
        cron(
            purge_replays,
            name=PURGE_REPLAYS,
            minute={7, 37},
            second={0},
            run_at_startup=True,
            keep_result=0,
        ),
        cron(
            purge_old_rows,
            name=PURGE_OLD_ROWS,
            minute={17},
            second={0},
            run_at_startup=True,
            keep_result=0,
        ),
        cron(
            completion.complete_ended,
            name=completion.COMPLETE_ENDED,
            second={45},
            run_at_startup=True,
            keep_result=0,
        ),
        cron(
            calendar_jobs.sweep,
            name=calendar_jobs.SWEEP,
            second={20, 50},
            run_at_startup=True,
            keep_result=0,
        ),
        cron(
            calendar_jobs.relay,
            name=calendar_jobs.RELAY,
            second=set(range(0, 60, relay_seconds)),
            run_at_startup=True,
            keep_result=0,
        ),
        cron(
            company_jobs.sweep_logo_imports,
            name=company_jobs.SWEEP_LOGO_IMPORTS,
            second={15},
            run_at_startup=True,
            keep_result=0,
        ),
    ]


J = TypeVar("J", Function, CronJob)


def timed(jobs: list[J]) -> list[J]:
    """The jobs, each recording its run time in the metrics under its name."""
    return [dataclasses.replace(job, coroutine=timed_job(job.name, job.coroutine)) for job in jobs]


#: arq's defaults for jobs that do not set their own
MAX_TRIES = 3
JOB_TIMEOUT_SECONDS = 60
KEEP_RESULT_SECONDS = 60


def worker_options(settings: Settings) -> dict[str, Any]:
    """Everything arq's `Worker` takes, from the settings: the one source of worker options
    (`slotwise worker` and the dev command both run `create_worker`)."""
    return {
        "functions": timed([carrying_request_id(function) for function in functions(settings)]),
        "cron_jobs": timed(cron_jobs(settings.webhook_relay_seconds)),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": redis_settings(settings),
        "ctx": {"settings": settings},
        "job_serializer": serialize,
        "job_deserializer": deserialize,
        "max_jobs": settings.worker_max_jobs,
        "max_tries": MAX_TRIES,
        "job_timeout": JOB_TIMEOUT_SECONDS,
        "keep_result": KEEP_RESULT_SECONDS,
        "poll_delay": POLL_DELAY_SECONDS,
        "job_completion_wait": settings.shutdown_timeout_seconds,
    }


class GracefulWorker(Worker):
    """arq's worker, stopping gracefully on SIGTERM or SIGINT: it takes no new job, its running
    jobs finish for up to `job_completion_wait` seconds (delivery jobs send their own attempt
    and take no more), then the rest are cancelled. A cancelled delivery or mail gives its row
    back at once (`leases.give_back`) and arq leaves its job queued, so another worker sends it
    without waiting for the lease."""

    def handle_sig_wait_for_completion(self, signum: signal.Signals) -> None:
        deliverer: Deliverer | None = self.ctx.get("webhooks")
        if deliverer is not None:
            deliverer.stopping = True
        super().handle_sig_wait_for_completion(signum)


def create_worker(settings: Settings, **overrides: Any) -> Worker:
    """A worker bound to these settings (the CLI and the dev command use it)."""
    return GracefulWorker(**(worker_options(settings) | overrides))


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Run the worker until it is told to stop. When Redis goes away (a restart, a failover)
    arq's loop ends with a connection error; the worker starts again once Redis answers, and
    the relay then wakes whatever the outage lost (the work itself waits in PostgreSQL)."""
    while True:
        try:
            create_worker(settings, burst=burst).run()
            return
        except (RedisConnectionError, RedisTimeoutError, ConnectionError) as exc:
            if burst:
                raise
            log.warning(
                "worker: Redis unreachable (%s: %s); starting again", type(exc).__name__, exc
            )
            time.sleep(RESTART_DELAY_SECONDS)
