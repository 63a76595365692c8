"""The job queue as the app sees it: an arq pool, job names, wake-ups sent after commit.

Jobs are only wake-ups: the work they stand for is in PostgreSQL rows, so a lost job costs
latency, never data. Code that changes rows asks for a wake-up with `after_commit(session, …)`;
the request's unit of work (`db.provide_transaction`) sends the collected wake-ups once its
commit succeeded, and a rolled-back transaction's wake-ups are never sent. Jobs travel as JSON,
not pickle, so whoever can write to Redis cannot run code in the workers.
"""

import functools
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

import msgspec
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.worker import Function
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.kit.logs import FIELDS, current_request_id, log_context
from slotwise.kit.state import StateKey
from slotwise.settings import Settings

HEARTBEAT_KEY = "slotwise:worker:heartbeat"
_WAKEUPS_KEY = "slotwise.jobs.wakeups"

log = logging.getLogger("slotwise.jobs")

#: the keyword a job's request id travels under (the worker takes it off, see
#: `carrying_request_id`)
REQUEST_ID_ARG = "request_id"

#: the arq queue, named so the rest of the code needs no arq import
JobQueue = ArqRedis


def serialize(value: dict[str, Any]) -> bytes:
    return msgspec.json.encode(value)


def deserialize(data: bytes) -> dict[str, Any]:
    value: dict[str, Any] = msgspec.json.decode(data)
    return value


def redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url or "redis://127.0.0.1:6379/0")


async def create_job_pool(settings: Settings) -> ArqRedis:
    return await create_pool(
        redis_settings(settings), job_serializer=serialize, job_deserializer=deserialize
    )


def job_queue(redis: Redis) -> ArqRedis:
    """A queue sharing an existing Redis client's connections (and timeouts); connects lazily."""
    return ArqRedis(
        pool_or_conn=redis.connection_pool, job_serializer=serialize, job_deserializer=deserialize
    )


@dataclass(frozen=True)
class Wakeup:
    function: str
    args: tuple[str, ...]
    job_id: str | None = None
    #: the request (or job) that asked for it, named in the job's log lines; not part of the
    #: job id, so it changes nothing about which wake-ups are one job
    request_id: str | None = None


async def enqueue(queue: ArqRedis, wakeup: Wakeup) -> None:
    """Send one wake-up; a job with the same id still queued makes this a no-op."""
    request_id = wakeup.request_id or current_request_id()
    extra: dict[str, Any] = {REQUEST_ID_ARG: request_id} if request_id else {}
    await queue.enqueue_job(wakeup.function, *wakeup.args, _job_id=wakeup.job_id, **extra)


def after_commit(session: AsyncSession, wakeup: Wakeup) -> None:
    """Send `wakeup` once the session's transaction has committed (dropped if it rolls back).

    The list lives on the session: a request's unit of work is its session, and the wake-ups
    must follow that transaction, not whichever task happened to run the code. The request id
    is taken now, while the request's context is sure to be the current one.
    """
    if wakeup.request_id is None and (request_id := current_request_id()) is not None:
        wakeup = replace(wakeup, request_id=request_id)
    session.info.setdefault(_WAKEUPS_KEY, []).append(wakeup)


def carrying_request_id(function: Function) -> Function:
    """The job as a worker runs it: the request id it was enqueued with (a keyword the job
    itself never sees) is bound for its log lines, and one line says how it went."""
    inner = function.coroutine

    @functools.wraps(inner)
    async def run(
        ctx: dict[str, Any], *args: Any, request_id: str | None = None, **kwargs: Any
    ) -> Any:
        started = time.perf_counter()
        outcome = "done"
        with log_context(request_id):
            try:
                return await inner(ctx, *args, **kwargs)
            except BaseException as exc:  # arq's Retry and cancellation included
                outcome = type(exc).__name__
                raise
            finally:
                duration_ms = (time.perf_counter() - started) * 1000
                fields = {
                    "job": function.name,
                    "job_try": ctx.get("job_try"),
                    "outcome": outcome,
                    "duration_ms": round(duration_ms, 2),
                }
                log.info(
                    "job %s %s %.1fms", function.name, outcome, duration_ms, extra={FIELDS: fields}
                )

    return replace(function, coroutine=run)


async def flush_after_commit(session: AsyncSession, queue: ArqRedis | None) -> None:
    """Send the wake-ups collected in a committed transaction.

    Never raises: if Redis is unreachable the first failure is logged and the rest are left to
    the relay, which finds every due row in the database.
    """
    wakeups: list[Wakeup] = session.info.pop(_WAKEUPS_KEY, [])
    if not wakeups or queue is None:
        return
    for sent, wakeup in enumerate(wakeups):
        try:
            await enqueue(queue, wakeup)
        except Exception as exc:
            log.warning(
                "%d job wake-up(s) not sent, left to the relay: %s: %s",
                len(wakeups) - sent,
                type(exc).__name__,
                exc,
            )
            return


REDIS = StateKey("redis", Redis)
JOB_QUEUE = StateKey("job_queue", JobQueue)
