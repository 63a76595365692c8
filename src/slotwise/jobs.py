"""The job queue as the app sees it: an arq pool and job names. Jobs are only wake-ups."""

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings

from slotwise.settings import Settings

HEARTBEAT_KEY = "slotwise:worker:heartbeat"


def redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url or "redis://127.0.0.1:6379/0")


async def create_job_pool(settings: Settings) -> ArqRedis:
    return await create_pool(redis_settings(settings))
