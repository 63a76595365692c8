"""The verifier: cached hot path, throttle before argon2, bounded memory."""

import asyncio
import uuid

import pytest

from slotwise.auth.hashing import build_hasher
from slotwise.auth.verifier import Verifier
from slotwise.ratelimit.failures import Throttled


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def verifier(clock: Clock) -> Verifier:
    return Verifier(
        build_hasher("cheapest"),
        cache_size=3,
        failures_per_credential=2,
        failures_per_address=5,
        window_seconds=60,
        clock=clock,
    )


async def test_second_verification_skips_argon2(verifier: Verifier) -> None:
    stored = verifier.hash("s3cret")
    cid = uuid.uuid4()
    assert await verifier.verify(cid, stored, "s3cret", "1.1.1.1")
    assert await verifier.verify(cid, stored, "s3cret", "1.1.1.1")
    assert verifier.argon2_runs == 1


async def test_concurrent_cold_verifications_share_one_argon2_run(verifier: Verifier) -> None:
    stored = verifier.hash("s3cret")
    cid = uuid.uuid4()
    results = await asyncio.gather(
        *(verifier.verify(cid, stored, "s3cret", "1.1.1.1") for _ in range(16))
    )
    assert all(results)
    assert verifier.argon2_runs == 1


async def test_wrong_secret_never_hits_the_cache(verifier: Verifier) -> None:
    stored = verifier.hash("s3cret")
    cid = uuid.uuid4()
    assert await verifier.verify(cid, stored, "s3cret", "1.1.1.1")
    assert not await verifier.verify(cid, stored, "other", "1.1.1.1")
    assert verifier.argon2_runs == 2


async def test_failures_throttle_before_argon2(verifier: Verifier, clock: Clock) -> None:
    stored = verifier.hash("s3cret")
    cid = uuid.uuid4()
    for _ in range(2):
        assert not await verifier.verify(cid, stored, "bad", "1.1.1.1")
    runs = verifier.argon2_runs
    with pytest.raises(Throttled) as caught:
        await verifier.verify(cid, stored, "bad", "1.1.1.1")
    assert verifier.argon2_runs == runs
    assert 1 <= caught.value.retry_after <= 61
    clock.now += 61
    assert await verifier.verify(cid, stored, "s3cret", "1.1.1.1")


async def test_cached_secret_still_works_while_throttled(verifier: Verifier) -> None:
    stored = verifier.hash("s3cret")
    cid = uuid.uuid4()
    assert await verifier.verify(cid, stored, "s3cret", "1.1.1.1")
    for _ in range(2):
        await verifier.verify(cid, stored, "bad", "6.6.6.6")
    assert await verifier.verify(cid, stored, "s3cret", "1.1.1.1")


async def test_address_throttle_spans_credentials(verifier: Verifier) -> None:
    stored = verifier.hash("s3cret")
    for _ in range(5):
        await verifier.verify(uuid.uuid4(), stored, "bad", "6.6.6.6")
    with pytest.raises(Throttled):
        await verifier.verify(uuid.uuid4(), stored, "bad", "6.6.6.6")
    assert not await verifier.verify(uuid.uuid4(), stored, "bad", "7.7.7.7")


async def test_cache_is_bounded(verifier: Verifier) -> None:
    stored = verifier.hash("s3cret")
    for _ in range(10):
        assert await verifier.verify(uuid.uuid4(), stored, "s3cret", "1.1.1.1")
    assert len(verifier) == 3


async def test_a_changed_hash_misses_the_cache(verifier: Verifier) -> None:
    cid = uuid.uuid4()
    first = verifier.hash("s3cret")
    assert await verifier.verify(cid, first, "s3cret", "1.1.1.1")
    rotated = verifier.hash("n3w")
    assert not await verifier.verify(cid, rotated, "s3cret", "1.1.1.1")


def test_production_profile_is_rfc9106() -> None:
    params = build_hasher("rfc9106")
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
    assert params.type.name == "ID"


async def test_concurrent_wrong_secrets_run_argon2_at_most_the_limit_times(
    verifier: Verifier,
) -> None:
    stored = verifier.hash("s3cret")
    cid = uuid.uuid4()
    results = await asyncio.gather(
        *(verifier.verify(cid, stored, f"bad-{n}", "1.1.1.1") for n in range(20)),
        return_exceptions=True,
    )
    assert verifier.argon2_runs == 2
    assert sum(isinstance(r, Throttled) for r in results) == 18


async def test_a_right_secret_under_the_limit_gives_its_attempt_back(verifier: Verifier) -> None:
    stored = verifier.hash("s3cret")
    cid = uuid.uuid4()
    assert not await verifier.verify(cid, stored, "bad", "1.1.1.1")
    assert await verifier.verify(cid, stored, "s3cret", "1.1.1.1")
    assert not await verifier.verify(cid, stored, "worse", "1.1.1.1")  # the 2nd failure
    with pytest.raises(Throttled):
        await verifier.verify(cid, stored, "worst", "1.1.1.1")
