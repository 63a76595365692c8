"""arq worker: settings, lifecycle and the registered jobs."""

import os
import time
from typing import Any, ClassVar

from arq import cron
from arq.connections import RedisSettings
from arq.typing import WorkerCoroutine
from arq.worker import Worker

from slotwise.db import create_engine, create_sessionmaker
from slotwise.jobs import HEARTBEAT_KEY, redis_settings
from slotwise.settings import Settings, load_settings


async def heartbeat(ctx: dict[str, Any]) -> None:
    """Record that a worker is alive (readable by operators and the dev command)."""
    await ctx["redis"].set(HEARTBEAT_KEY, str(int(time.time())), ex=180)


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("settings") or load_settings(os.environ)
    engine = create_engine(settings)
    ctx["settings"] = settings
    ctx["engine"] = engine
    ctx["sessionmaker"] = create_sessionmaker(engine)
    await heartbeat(ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["engine"].dispose()


class WorkerSettings:
    functions: ClassVar[list[WorkerCoroutine]] = []
    cron_jobs: ClassVar[list[Any]] = [cron(heartbeat, second={0, 30}, run_at_startup=False)]
    on_startup = startup
    on_shutdown = shutdown
    redis_settings: RedisSettings = RedisSettings()
    max_tries = 3
    job_timeout = 60
    keep_result = 60


def create_worker(settings: Settings, **overrides: Any) -> Worker:
    """A worker bound to these settings (the CLI and the dev command use it)."""
    return Worker(
        functions=WorkerSettings.functions,
        cron_jobs=WorkerSettings.cron_jobs,
        on_startup=startup,
        on_shutdown=shutdown,
        redis_settings=redis_settings(settings),
        ctx={"settings": settings},
        max_tries=WorkerSettings.max_tries,
        job_timeout=WorkerSettings.job_timeout,
        keep_result=WorkerSettings.keep_result,
        **overrides,
    )
