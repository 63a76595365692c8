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
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import msgspec
from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
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


#: arq's `enqueue_job` as one atomic step: a job whose id is still queued (or has a result
#: kept) is not queued again. KEYS: job, result, queue; ARGV: lifetime ms, job, job id, score.
_ENQUEUE = """
if redis.call('exists', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('psetex', KEYS[1], ARGV[1], ARGV[2])
redis.call('zadd', KEYS[3], ARGV[4], ARGV[3])
return 1
"""


async def enqueue(queue: ArqRedis, wakeup: Wakeup) -> None:
    """Send one wake-up; a job with the same id still queued makes this a no-op."""
    await enqueue_all(queue, (wakeup,))


async def enqueue_all(queue: ArqRedis, wakeups: Sequence[Wakeup]) -> None:
    """Send wake-ups in one round trip, each queued as arq's `enqueue_job` queues it.

    `enqueue_job` takes three round trips per job (WATCH, EXISTS, then MULTI…EXEC): a
    booking's two wake-ups cost 0.75 ms of CPU that way and 0.2 ms this way. A script makes
    the same check and writes atomically, and one pipeline carries all of them.
    """
    now_ms = int(time.time() * 1000)
    async with queue.pipeline(transaction=False) as pipe:
        for wakeup in wakeups:
            request_id = wakeup.request_id or current_request_id()
            extra: dict[str, Any] = {REQUEST_ID_ARG: request_id} if request_id else {}
            job_id = wakeup.job_id or uuid.uuid4().hex
            job = serialize_job(
                wakeup.function, wakeup.args, extra, None, now_ms, serializer=queue.job_serializer
            )
            keys = (job_key_prefix + job_id, result_key_prefix + job_id, queue.default_queue_name)
            lifetime, score = str(queue.expires_extra_ms), str(now_ms)
            pipe.eval(_ENQUEUE, len(keys), *keys, lifetime, job.decode(), job_id, score)  # JSON
        await pipe.execute()


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

    Never raises: if Redis is unreachable the failure is logged and the wake-ups are left to
    the relay, which finds every due row in the database.
    """
    wakeups: list[Wakeup] = session.info.pop(_WAKEUPS_KEY, [])
    if not wakeups or queue is None:
        return
    try:
        await enqueue_all(queue, wakeups)
    except Exception as exc:
        log.warning(
            "%d job wake-up(s) not sent, left to the relay: %s: %s",
            len(wakeups),
            type(exc).__name__,
            exc,
        )


REDIS = StateKey("redis", Redis)
JOB_QUEUE = StateKey("job_queue", JobQueue)
