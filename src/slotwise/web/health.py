"""Liveness and readiness probes."""

import asyncio
from typing import Any

from litestar import Controller, get
from litestar.datastructures import State
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from slotwise.db.session import ENGINE
from slotwise.jobs import REDIS
from slotwise.kit.errors import ServiceUnavailable
from slotwise.kit.wire import WireStruct

CHECK_TIMEOUT_SECONDS = 2.0


class Live(WireStruct):
    status: str


class Ready(WireStruct):
    status: str
    checks: dict[str, str]


async def _check_postgres(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _check_redis(redis: Redis) -> None:
    await redis.ping()


async def _run(check: Any) -> str:
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


class HealthController(Controller):
    path = "/health"
    tags = ["health"]
    include_in_schema = False

    @get("/live", exclude_from_auth=True)
    async def live(self) -> Live:
        """The process is up."""
        return Live(status="ok")

    @get("/ready", exclude_from_auth=True)
    async def ready(self, state: State) -> Ready:
        """PostgreSQL answers (503 naming it otherwise); Redis down is reported as degraded."""
        postgres, redis = await asyncio.gather(
            _run(_check_postgres(ENGINE.of(state))), _run(_check_redis(REDIS.of(state)))
        )
        checks = {"postgres": postgres, "redis": redis}
        if postgres != "ok":
            failing = ", ".join(name for name, result in checks.items() if result != "ok")
            raise ServiceUnavailable(f"Not ready: {failing}", extra={"checks": checks})
        # Without Redis the API still serves (rate limits per process, webhook wake-ups wait
        # for the relay), so the instance stays in rotation and says it is degraded.
        return Ready(status="ok" if redis == "ok" else "degraded", checks=checks)
