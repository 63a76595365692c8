"""Wake-ups are queued as arq queues jobs: one queued job per id, readable by arq."""

import uuid
from collections.abc import AsyncIterator

import pytest
from arq import ArqRedis
from arq.jobs import JobDef
from redis.asyncio import Redis

from slotwise.jobs import Wakeup, enqueue, enqueue_all, job_queue
from slotwise.settings import Settings


@pytest.fixture
async def queue(settings: Settings) -> AsyncIterator[ArqRedis]:
    redis = Redis.from_url(settings.redis_url or "")
    try:
        yield job_queue(redis)
    finally:
        await redis.flushdb()
        await redis.aclose()


async def _ours(queue: ArqRedis) -> list[JobDef]:
    """This file's jobs (earlier tests of the same process may have left wake-ups queued)."""
    return [job for job in await queue.queued_jobs() if job.function.startswith("test.")]


async def test_one_round_of_wakeups_queues_each_id_once(queue: ArqRedis) -> None:
    first, second = f"t:{uuid.uuid4()}", f"t:{uuid.uuid4()}"
    await enqueue(queue, Wakeup("test.job", ("queued before",), job_id=first))
    await enqueue_all(
        queue,
        [
            Wakeup("test.job", ("again",), job_id=first),  # still queued: not queued again
            Wakeup("test.job", ("new",), job_id=second),
            Wakeup("test.job", ("same round",), job_id=second),
            Wakeup("test.other", ("no id",)),
        ],
    )
    jobs = {job.job_id: job for job in await _ours(queue)}
    assert len(jobs) == 3
    assert list(jobs[first].args) == ["queued before"]
    assert list(jobs[second].args) == ["new"]
    (anonymous,) = (job for job_id, job in jobs.items() if job_id not in (first, second))
    assert anonymous.function == "test.other"
    ttl = await queue.pttl(f"arq:job:{second}")
    assert 0 < ttl <= queue.expires_extra_ms  # expires like arq's own jobs


async def test_a_job_with_a_kept_result_is_not_queued_again(queue: ArqRedis) -> None:
    job_id = f"t:{uuid.uuid4()}"
    await queue.set(f"arq:result:{job_id}", b"{}")
    await enqueue(queue, Wakeup("test.job", (), job_id=job_id))
    assert await _ours(queue) == []
