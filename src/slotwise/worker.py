"""arq worker: settings, lifecycle and the registered jobs."""

import os
import time
from typing import Any, ClassVar

from arq import cron, func
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.typing import WorkerCoroutine
from arq.worker import Function, Worker

from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.jobs import HEARTBEAT_KEY, deserialize, redis_settings, serialize
from slotwise.settings import Settings, load_settings
from slotwise.webhooks import jobs as webhook_jobs
from slotwise.webhooks.events import DELIVER

#: how often an idle worker looks for new jobs (the wake-up latency)
POLL_DELAY_SECONDS = 0.02


async def heartbeat(ctx: dict[str, Any]) -> None:
    """Record that a worker is alive (readable by operators and the dev command)."""
    await ctx["redis"].set(HEARTBEAT_KEY, str(int(time.time())), ex=180)


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("settings") or load_settings(os.environ)
    engine = create_engine(settings)
    ctx["settings"] = settings
    ctx["engine"] = engine
    ctx["sessionmaker"] = create_sessionmaker(engine)
    await webhook_jobs.startup(ctx)
    await heartbeat(ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    await webhook_jobs.shutdown(ctx)
    await ctx["engine"].dispose()


def functions() -> list[Function]:
    return [
        func(
            webhook_jobs.deliver,
            name=DELIVER,
            timeout=webhook_jobs.DELIVER_TIMEOUT_SECONDS,
            # no result kept: a later wake-up may reuse the job id at once
            keep_result=0,
            max_tries=3,
        )
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
    ]


class WorkerSettings:
    functions: ClassVar[list[WorkerCoroutine | Function]] = [*functions()]
    cron_jobs: ClassVar[list[CronJob]] = cron_jobs()
    on_startup = startup
    on_shutdown = shutdown
    redis_settings: RedisSettings = RedisSettings()
    job_serializer = staticmethod(serialize)
    job_deserializer = staticmethod(deserialize)
    max_jobs = 50
    max_tries = 3
    job_timeout = 60
    keep_result = 60
    poll_delay = POLL_DELAY_SECONDS


def create_worker(settings: Settings, **overrides: Any) -> Worker:
    """A worker bound to these settings (the CLI and the dev command use it)."""
    return Worker(
        functions=functions(),
        cron_jobs=cron_jobs(settings.webhook_relay_seconds),
        on_startup=startup,
        on_shutdown=shutdown,
        redis_settings=redis_settings(settings),
        ctx={"settings": settings},
        job_serializer=serialize,
        job_deserializer=deserialize,
        max_jobs=settings.worker_max_jobs,
        max_tries=WorkerSettings.max_tries,
        job_timeout=WorkerSettings.job_timeout,
        keep_result=WorkerSettings.keep_result,
        poll_delay=POLL_DELAY_SECONDS,
        **overrides,
    )
