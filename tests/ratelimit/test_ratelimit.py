"""Rate limits in Redis: per credential, per company override, headers, fail-open without Redis;
failed authentication counted across processes, fail-closed without Redis."""

import asyncio
import time
import uuid
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from slotwise.app import create_app
from slotwise.auth.hashing import build_hasher
from slotwise.auth.verifier import Verifier
from slotwise.cli.company import rate_limit_command
from slotwise.ratelimit.failures import AuthFailureGate, Throttled
from slotwise.ratelimit.limiter import LocalBuckets, Policy, RateLimiter
from slotwise.ratelimit.policies import RATE_POLICIES
from slotwise.settings import Settings
from tests.support.factories import Side
from tests.support.servers import running_server


def check_headers(headers: Any) -> tuple[int, int]:
    limit = int(headers["x-ratelimit-limit"])
    remaining = int(headers["x-ratelimit-remaining"])
    assert int(headers["x-ratelimit-used"]) == limit - remaining
    assert int(headers["x-ratelimit-reset"]) >= int(time.time())
    assert f"r={remaining};" in headers["ratelimit"]
    assert f"q={limit};" in headers["ratelimit-policy"]
    return limit, remaining


async def set_limit(settings: Settings, side: Side, **limits: Any) -> None:
    values = {"per_hour": None, "per_day": None, "reset": False} | limits
    await asyncio.to_thread(rate_limit_command, settings, str(side.tenant.company_id), **values)


async def test_default_policy_headers(client: AsyncTestClient[Litestar], side_a: Side) -> None:
    first = await client.get("/v4/user/me", headers=side_a.tenant.headers())
    second = await client.get("/v4/user/me", headers=side_a.tenant.headers())
    assert first.status_code == second.status_code == 200
    assert check_headers(first.headers) == (200, 199)
    assert check_headers(second.headers)[1] in {198, 199}
    assert first.headers["ratelimit-policy"] == '"minute";q=200;w=120'
    assert "x-ratelimit-limit" not in (await client.get("/health/live")).headers


async def test_exhausting_one_key_leaves_another_untouched(
    app: Litestar, client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    await set_limit(settings, side_a, per_minute=1, burst=3)
    RATE_POLICIES.of(app.state).ttl = 0
    key_a = side_a.tenant.headers()
    key_b = {"authorization": f"Bearer {side_a.extra_key.api_key}"}
    statuses = [(await client.get("/v4/api-key", headers=key_a)).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    limited = await client.post("/v4/api-key", json={"expiresInDays": 3}, headers=key_a)
    assert limited.status_code == 429
    assert limited.json() == {
        "statusCode": 429,
        "message": "Too Many Requests",
        "error": "Too Many Requests",
        "code": "rate_limited",
    }
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["x-ratelimit-remaining"] == "0"
    other = await client.get("/v4/api-key", headers=key_b)
    assert other.status_code == 200
    assert len(other.json()) == 2  # the limited POST created nothing
    assert check_headers(other.headers) == (3, 2)


async def test_hour_and_day_quotas_are_shared_by_a_companys_keys(
    app: Litestar,
    client: AsyncTestClient[Litestar],
    settings: Settings,
    side_a: Side,
    side_b: Side,
) -> None:
    """Minting more keys buys more requests per minute, never more per hour or day."""
    RATE_POLICIES.of(app.state).ttl = 0
    key_1 = side_a.tenant.headers()
    key_2 = {"authorization": f"Bearer {side_a.extra_key.api_key}"}
    await set_limit(settings, side_a, per_minute=1, burst=2, per_hour=3)
    # the per-minute burst is per key: key 1 spends its 2, key 2 still has its own
    first = [await client.get("/v4/api-key", headers=key_1) for _ in range(3)]
    assert [r.status_code for r in first] == [200, 200, 429]
    assert first[2].headers["ratelimit"].startswith('"minute";r=0;')
    assert (await client.get("/v4/api-key", headers=key_2)).status_code == 200
    # ... but that was the company's third request this hour: key 2 is now refused too
    refused = await client.get("/v4/api-key", headers=key_2)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 60  # an hour quota, not the minute bucket
    assert check_headers(refused.headers) == (3, 0)
    assert refused.headers["ratelimit"].startswith('"hour";r=0;')
    # another company's keys are untouched by that; its day quota is likewise its own
    await set_limit(settings, side_b, per_minute=100, burst=100, per_day=2)
    b_1 = side_b.tenant.headers()
    b_2 = {"authorization": f"Bearer {side_b.extra_key.api_key}"}
    assert (await client.get("/v4/api-key", headers=b_1)).status_code == 200
    assert (await client.get("/v4/api-key", headers=b_1)).status_code == 200
    daily = await client.get("/v4/api-key", headers=b_2)
    assert daily.status_code == 429
    assert int(daily.headers["retry-after"]) > 3600
    assert check_headers(daily.headers) == (2, 0)
    assert daily.headers["ratelimit"].startswith('"day";r=0;')
    assert (await client.get("/v4/api-key", headers=key_2)).status_code == 429


async def test_override_applies_without_restart_and_resets(
    app: Litestar, client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    RATE_POLICIES.of(app.state).ttl = 0
    await set_limit(settings, side_a, per_minute=50, burst=60, per_hour=500, per_day=5000)
    response = await client.get("/v4/user/me", headers=side_a.tenant.headers())
    assert response.headers["ratelimit-policy"] == (
        '"minute";q=60;w=72, "hour";q=500;w=3600, "day";q=5000;w=86400'
    )
    await asyncio.to_thread(
        rate_limit_command,
        settings,
        str(side_a.tenant.company_id),
        per_minute=None,
        burst=None,
        per_hour=None,
        per_day=None,
        reset=True,
    )
    again = await client.get("/v4/user/me", headers=side_a.tenant.headers())
    assert again.headers["ratelimit-policy"] == '"minute";q=200;w=120'


async def test_spoofed_forwarded_for_changes_nothing(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    remaining = []
    for n in range(3):
        response = await client.get(
            "/v4/public/booking-page/nobody-here/nothing",
            headers={"x-forwarded-for": f"203.0.113.{n}"},
        )
        assert response.status_code == 404
        remaining.append(int(response.headers["x-ratelimit-remaining"]))
    # one shared bucket: later requests see earlier ones (separate buckets would all say 199);
    # the bucket refills one request per 0.6 s, so a slow run may see a refill in between
    assert remaining[0] == 199
    assert min(remaining[1:]) < 199


async def test_redis_down_still_serves_and_says_so(settings: Settings, side_a: Side) -> None:
    broken = msgspec.structs.replace(settings, redis_url="redis://127.0.0.1:1/0")
    async with AsyncTestClient(create_app(broken)) as client:
        first = await client.get("/v4/user/me", headers=side_a.tenant.headers())
        second = await client.get("/v4/user/me", headers=side_a.tenant.headers())
        ready = await client.get("/health/ready")
    assert first.status_code == second.status_code == 200
    assert first.headers["x-ratelimit-scope"] == "process"
    assert check_headers(first.headers) == (200, 199)
    assert check_headers(second.headers)[1] in {198, 199}  # 199 only after a 0.6 s refill
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["redis"].startswith("error")


def test_local_buckets_follow_the_same_rule() -> None:
    policy = Policy.build(per_minute=60, burst=2)
    buckets = LocalBuckets()
    now = 1_000_000_000_000
    assert buckets.run(["k"], policy, now)[0] == 1
    assert buckets.run(["k"], policy, now)[0] == 1
    refused = buckets.run(["k"], policy, now)
    assert refused[0] == 0
    assert refused[1] == 1_000_000  # one request per second refills
    assert buckets.run(["k"], policy, now + 1_000_000)[0] == 1


@pytest.mark.slow
async def test_limit_holds_across_four_processes(settings: Settings, side_a: Side) -> None:
    await set_limit(settings, side_a, per_minute=30, burst=40)
    # small pools: four processes with the default 20 + 10 connections each, 90 requests at
    # once and the other test process's servers could pass PostgreSQL's 100 connections (503s)
    small = {"SLOTWISE_DB_POOL_SIZE": "5"}
    with (
        running_server(settings, extra_env=small) as one,
        running_server(settings, extra_env=small) as two,
        running_server(settings, extra_env=small) as three,
        running_server(settings, extra_env=small) as four,
    ):
        bases = [one, two, three, four]
        headers = side_a.tenant.headers()
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=30) as http:
            responses = await asyncio.gather(
                *(http.get(f"{bases[n % 4]}/v4/user/me", headers=headers) for n in range(90))
            )
        elapsed = time.monotonic() - started
    accepted = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 429]
    others = [(r.status_code, r.text) for r in responses if r.status_code not in {200, 429}]
    assert not others
    assert len(accepted) >= 40
    assert len(accepted) <= 40 + int(elapsed * 30 / 60) + 1
    assert all(int(r.headers["retry-after"]) >= 1 for r in refused)


def wrong_secret(side: Side) -> dict[str, str]:
    key = side.tenant.api_key
    return {"authorization": f"Bearer {key[:-4]}{'zzzz' if key[-4:] != 'zzzz' else 'yyyy'}"}


async def test_every_response_but_health_carries_the_headers(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    cases = [
        ("/v4/user/me", {}, 401),
        ("/v4/user/me", wrong_secret(side_a), 401),
        ("/v4/user/me", {"authorization": "Bearer nonsense"}, 401),
        ("/v4/availability", side_a.tenant.headers(), 400),
        ("/v4/user/me", side_a.tenant.headers(), 200),
        ("/schema/openapi.json", {}, 200),
    ]
    for path, headers, status in cases:
        response = await client.get(path, headers=headers)
        assert response.status_code == status, (path, response.text)
        assert check_headers(response.headers)[0] == 200, path
    health = await client.get("/health/live")
    assert health.status_code == 200
    assert "x-ratelimit-limit" not in health.headers


@pytest.mark.slow
async def test_failed_secrets_are_counted_across_processes(
    settings: Settings, side_a: Side
) -> None:
    strict = {"SLOTWISE_AUTH_FAILURES_PER_CREDENTIAL": "3"}
    with (
        running_server(settings, extra_env=strict) as one,
        running_server(settings, extra_env=strict) as two,
    ):
        async with httpx.AsyncClient(timeout=30) as http:
            responses = [
                await http.get(f"{(one, two)[n % 2]}/v4/user/me", headers=wrong_secret(side_a))
                for n in range(5)
            ]
    # per-process counting would let 3 failures through in each process (all 401)
    assert [r.status_code for r in responses] == [401, 401, 401, 429, 429]
    refused = responses[-1]
    assert int(refused.headers["retry-after"]) >= 1
    assert '"auth-failures";q=3;w=60' in refused.headers["ratelimit-policy"]
    assert refused.json()["message"] == "Too Many Requests"


async def test_failed_secrets_fail_closed_without_redis() -> None:
    redis = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    gate = AuthFailureGate(RateLimiter(redis), per_credential=10, per_address=30, window_seconds=60)
    verifier = Verifier(build_hasher("cheapest"), failures=gate)
    stored = verifier.hash("right")
    key, other = uuid.uuid4(), uuid.uuid4()
    try:
        assert await verifier.verify(key, stored, "right", "198.51.100.1")
        assert not await verifier.verify(key, stored, "wrong", "198.51.100.2")
        # the first failure closes the gate for that credential and that address ...
        with pytest.raises(Throttled):
            await verifier.verify(key, stored, "guess", "198.51.100.3")
        with pytest.raises(Throttled):
            await verifier.verify(other, stored, "guess", "198.51.100.2")
        # ... while a secret already verified in the process, and other callers, still work
        assert await verifier.verify(key, stored, "right", "198.51.100.4")
        assert await verifier.verify(other, stored, "right", "198.51.100.5")
    finally:
        await redis.aclose()


async def test_wrong_secrets_never_draw_on_the_keys_own_limit(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    """A key's count may start before its query only for a secret already verified for it."""
    first = await client.get("/v4/user/me", headers=side_a.tenant.headers())
    assert check_headers(first.headers) == (200, 199)
    for _ in range(20):
        wrong = await client.get("/v4/user/me", headers=wrong_secret(side_a))
        assert wrong.status_code in {401, 429}
    again = await client.get("/v4/user/me", headers=side_a.tenant.headers())
    assert again.status_code == 200
    assert check_headers(again.headers)[1] in {198, 199}  # 199 only after a 0.6 s refill


@pytest.mark.slow
async def test_a_burst_of_wrong_secrets_runs_argon2_at_most_the_limit_times(
    settings: Settings, side_a: Side
) -> None:
    """Each attempt counts as a failure before argon2 runs, so concurrency cannot outrun it.

    Every 401 is a wrong secret that went through argon2; the rest were refused before it.
    """
    key = side_a.tenant.api_key
    guesses = [
        {"authorization": f"Bearer {key[:-4]}{n:04d}"} for n in range(50) if key[-4:] != f"{n:04d}"
    ]
    with running_server(settings) as base:
        async with httpx.AsyncClient(timeout=30) as http:
            responses = await asyncio.gather(
                *(http.get(f"{base}/v4/user/me", headers=h) for h in guesses)
            )
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {401, 429}
    assert statuses.count(401) <= 10  # the per-credential limit: 10 failures a minute
    assert statuses.count(429) >= len(guesses) - 10


async def test_a_verified_secret_gives_its_reserved_failure_back(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_url or "")
    gate = AuthFailureGate(RateLimiter(redis), per_credential=5, per_address=100, window_seconds=60)
    verifier = Verifier(build_hasher("cheapest"), failures=gate)
    stored = verifier.hash("right")
    key = uuid.uuid4()
    try:
        burst = await asyncio.gather(
            *(verifier.verify(key, stored, f"wrong-{n}", "198.51.100.7") for n in range(50)),
            return_exceptions=True,
        )
        assert verifier.argon2_runs == 5
        assert sum(isinstance(r, Throttled) for r in burst) == 45
        other = uuid.uuid4()
        for n in range(3):
            assert not await verifier.verify(other, stored, f"guess-{n}", "198.51.100.8")
        # under the limit the right secret verifies, and its attempt is not left counted
        assert await verifier.verify(other, stored, "right", "198.51.100.8")
        assert not await verifier.verify(other, stored, "guess-3", "198.51.100.8")
        assert not await verifier.verify(other, stored, "guess-4", "198.51.100.8")
        with pytest.raises(Throttled):
            await verifier.verify(other, stored, "guess-5", "198.51.100.8")
    finally:
        await redis.aclose()


async def test_a_burst_of_the_right_secret_takes_one_count(settings: Settings) -> None:
    """Concurrent requests with the same secret share one attempt: one count, one argon2 run."""
    redis = Redis.from_url(settings.redis_url or "")
    gate = AuthFailureGate(RateLimiter(redis), per_credential=2, per_address=2, window_seconds=60)
    verifier = Verifier(build_hasher("cheapest"), failures=gate)
    stored = verifier.hash("right")
    try:
        key = uuid.uuid4()
        results = await asyncio.gather(
            *(verifier.verify(key, stored, "right", "198.51.100.9") for _ in range(30))
        )
        assert all(results)
        assert verifier.argon2_runs == 1
    finally:
        await redis.aclose()
