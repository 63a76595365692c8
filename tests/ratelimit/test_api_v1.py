"""Rate limits of the /api/v1 surface: its own fixed windows (second, minute per caller; hour,
day per company), the minute window in the headers while requests pass, the refusing window
when one is refused, and buckets separate from /v4's."""

import asyncio
import time
import uuid
from typing import Any

import msgspec
import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from slotwise.app import create_app
from slotwise.ratelimit.limiter import COMPANY, Policy, RateLimiter, Window
from slotwise.ratelimit.policies import RATE_POLICIES
from slotwise.settings import Settings, SettingsError, load_settings
from tests.ratelimit.test_ratelimit import check_headers, set_limit
from tests.support.factories import Side

PROBE = "/api/v1/_probe"
OPEN_PROBE = "/api/v1/_open"


@get(PROBE)
async def probe() -> dict[str, str]:
    return {"ok": "yes"}


@get(OPEN_PROBE, exclude_from_auth=True)
async def open_probe() -> dict[str, str]:
    return {"ok": "yes"}


def with_probes(app: Litestar) -> Litestar:
    app.register(probe)
    app.register(open_probe)
    return app


@pytest.fixture
async def v1_client(app: Litestar, client: AsyncTestClient[Litestar]) -> AsyncTestClient[Litestar]:
    with_probes(app)
    return client


def key(side: Side, credential: str | None = None) -> dict[str, str]:
    """A platform key acting for the company's owner (the probe has the default access rules)."""
    headers = side.tenant.headers(side.tenant.owner_id)
    if credential is not None:
        headers["authorization"] = f"Bearer {credential}"
    return headers


def check_v1(headers: Any, limit: int = 100) -> int:
    """The sheet's four headers, describing the minute window; returns Remaining."""
    got_limit, remaining = check_headers(headers)
    assert got_limit == limit
    assert int(headers["x-ratelimit-reset"]) > time.time()
    assert headers["ratelimit"].startswith(f'"minute";r={remaining};')
    assert headers["ratelimit-policy"] == (
        f'"second";q=10;w=1, "minute";q={limit};w=60, "hour";q=1000;w=3600, "day";q=10000;w=86400'
    )
    return remaining


async def test_every_response_carries_the_minute_window(
    v1_client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    cases = [
        (PROBE, key(side_a), 200),
        (PROBE, key(side_a), 200),
        (PROBE, {}, 401),
        (PROBE, {"authorization": "Bearer nonsense"}, 401),
        (OPEN_PROBE, {}, 200),
    ]
    seen = []
    for path, headers, status in cases:
        response = await v1_client.get(path, headers=headers)
        assert response.status_code == status, (path, response.text)
        assert "retry-after" not in response.headers
        seen.append(check_v1(response.headers))
    # the credential's two requests (99 then 98, or 99 again after a 0.6 s refill); the
    # three without a credential share one address bucket
    assert seen[0] == 99
    assert seen[1] in {98, 99}
    assert seen[2] == 99
    assert seen[3] in {98, 99}
    assert seen[4] in {97, 98, 99}
    assert min(seen[3:]) < 99


async def test_eleven_at_once_from_one_credential(
    v1_client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    headers = key(side_a)
    # verify the secret once on /v4, so the burst below is not spread out by argon2 (and it
    # spends nothing of /api/v1's buckets)
    assert (await v1_client.get("/v4/user/me", headers=headers)).status_code == 200
    started = time.monotonic()
    responses = await asyncio.gather(*(v1_client.get(PROBE, headers=headers) for _ in range(11)))
    elapsed = time.monotonic() - started
    accepted = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 429]
    assert len(accepted) + len(refused) == 11
    # 10 at once; the second window gives one back each 0.1 s
    assert len(accepted) <= 10 + int(elapsed * 10)
    for response in accepted:
        check_v1(response.headers)
    if elapsed < 0.1:
        assert len(refused) == 1
    for response in refused:
        assert int(response.headers["retry-after"]) >= 1
        assert check_headers(response.headers) == (10, 0)
        assert response.headers["ratelimit"].startswith('"second";r=0;')
        assert int(response.headers["x-ratelimit-reset"]) > time.time()
        body = response.json()  # the Meetario sheet's envelope
        assert (body["status_code"], body["error"]) == (429, "rate_limit_exceeded")


async def test_burst_refusals_are_reported_by_the_second_window(
    v1_client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    """However slow the run, a burst of 30 outruns the refill of 10 per second."""
    headers = key(side_a)
    assert (await v1_client.get("/v4/user/me", headers=headers)).status_code == 200
    started = time.monotonic()
    responses = await asyncio.gather(*(v1_client.get(PROBE, headers=headers) for _ in range(30)))
    elapsed = time.monotonic() - started
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) <= 10 + int(elapsed * 10)
    assert statuses.count(429) >= 1
    refused = next(r for r in responses if r.status_code == 429)
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit"].startswith('"second";r=0;')


async def test_minute_window_from_settings(settings: Settings, side_a: Side) -> None:
    small = msgspec.structs.replace(settings, meetario_rate_limit_per_minute=3)
    async with AsyncTestClient(with_probes(create_app(small))) as client:
        passed = []
        for _ in range(3):
            response = await client.get(PROBE, headers=key(side_a))
            assert response.status_code == 200
            passed.append(check_v1(response.headers, limit=3))
            await asyncio.sleep(0.15)  # under 10 per second: only the minute window counts
        refused = await client.get(PROBE, headers=key(side_a))
        v4 = await client.get("/v4/user/me", headers=key(side_a))
    assert passed[0] == 2
    assert passed[-1] < passed[0]  # a refill takes 20 s
    assert refused.status_code == 429
    assert check_headers(refused.headers) == (3, 0)
    assert refused.headers["ratelimit"].startswith('"minute";r=0;')
    assert int(refused.headers["retry-after"]) >= 10  # one request per 20 s refills
    assert v4.status_code == 200
    assert check_headers(v4.headers) == (200, 199)


async def test_surfaces_never_share_a_bucket(settings: Settings, side_a: Side) -> None:
    """/api/v1 traffic leaves /v4's buckets alone and the other way round; company overrides
    apply to /v4 only."""
    small = msgspec.structs.replace(settings, meetario_rate_limit_per_minute=2)
    await set_limit(settings, side_a, per_minute=1, burst=1)
    key_a = key(side_a)
    key_b = key(side_a, side_a.extra_key.api_key)
    app = with_probes(create_app(small))
    async with AsyncTestClient(app) as client:
        RATE_POLICIES.of(app.state).ttl = 0
        # key A spends its /api/v1 minute; its /v4 bucket is still full
        v1 = [await client.get(PROBE, headers=key_a) for _ in range(3)]
        v4 = [await client.get("/v4/user/me", headers=key_a) for _ in range(2)]
        # key B spends its /v4 bucket (the override: 1 at once); its /api/v1 bucket is full
        b_v4 = [await client.get("/v4/user/me", headers=key_b) for _ in range(2)]
        b_v1 = await client.get(PROBE, headers=key_b)
        # the same holds for requests without a credential, counted by address
        addr_v1 = [await client.get(OPEN_PROBE) for _ in range(3)]
        addr_v4 = await client.get("/v4/public/booking-page/nobody-here/nothing")
    assert [r.status_code for r in v1] == [200, 200, 429]
    assert [check_v1(r.headers, limit=2) for r in v1[:2]] == [1, 0]
    assert v1[2].headers["ratelimit"].startswith('"minute";r=0;')
    assert [r.status_code for r in v4] == [200, 429]
    assert check_headers(v4[0].headers) == (1, 0)  # the company's /v4 override
    assert [r.status_code for r in b_v4] == [200, 429]
    assert b_v1.status_code == 200
    assert check_v1(b_v1.headers, limit=2) == 1
    assert [r.status_code for r in addr_v1] == [200, 200, 429]
    assert addr_v4.status_code == 404
    assert check_headers(addr_v4.headers) == (200, 199)


async def test_hour_quota_is_shared_by_a_companys_keys(settings: Settings, side_a: Side) -> None:
    small = msgspec.structs.replace(settings, meetario_rate_limit_per_hour=3)
    key_1, key_2 = key(side_a), key(side_a, side_a.extra_key.api_key)
    async with AsyncTestClient(with_probes(create_app(small))) as client:
        statuses = [(await client.get(PROBE, headers=h)).status_code for h in (key_1, key_2)]
        statuses.append((await client.get(PROBE, headers=key_1)).status_code)
        refused = await client.get(PROBE, headers=key_2)
        v4 = await client.get("/v4/user/me", headers=key_2)
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert check_headers(refused.headers) == (3, 0)
    assert refused.headers["ratelimit"].startswith('"hour";r=0;')
    assert int(refused.headers["retry-after"]) > 60
    assert v4.status_code == 200


def test_settings_refuse_limits_below_one() -> None:
    with pytest.raises(SettingsError, match="SLOTWISE_MEETARIO_RATE_LIMIT_PER_SECOND"):
        load_settings({"SLOTWISE_MEETARIO_RATE_LIMIT_PER_SECOND": "0"})
    with pytest.raises(SettingsError, match="SLOTWISE_MEETARIO_RATE_LIMIT_PER_DAY"):
        load_settings({"SLOTWISE_MEETARIO_RATE_LIMIT_PER_DAY": "0"})


def test_headline_must_be_one_of_the_windows() -> None:
    with pytest.raises(ValueError, match="headline"):
        Policy((Window("minute", 5, 60),), headline="second")


async def test_headline_window_is_reported_until_another_refuses(settings: Settings) -> None:
    windows = (Window("second", 3, 1), Window("minute", 5, 60), Window("day", 9, 86400, COMPANY))
    headline = Policy(windows, headline="minute")
    binding = Policy(windows)
    redis = Redis.from_url(settings.redis_url or "")
    limiter = RateLimiter(redis, prefix=f"rl-test-{uuid.uuid4()}")
    try:
        reported = [await limiter.hit("h", headline) for _ in range(4)]
        plain = [await limiter.hit("b", binding) for _ in range(3)]
    finally:
        await redis.aclose()
    assert [(d.allowed, d.window.name, d.remaining) for d in reported] == [
        (True, "minute", 4),
        (True, "minute", 3),
        (True, "minute", 2),
        (False, "second", 0),
    ]
    first = reported[0].headers()
    assert first["X-RateLimit-Limit"] == "5"
    assert first["X-RateLimit-Used"] == "1"
    assert first["RateLimit"].startswith('"minute";r=4;')
    refused = reported[3].headers()
    assert refused["X-RateLimit-Limit"] == "3"
    assert refused["X-RateLimit-Used"] == "3"
    assert refused["RateLimit"].startswith('"second";r=0;')
    assert refused["Retry-After"] == "1"
    # without a headline: the binding window (fewest left), as /v4 reports
    assert [d.window.name for d in plain] == ["second", "second", "second"]
    assert plain[2].remaining == 0


async def test_a_refusal_reports_the_window_with_the_longest_wait(settings: Settings) -> None:
    """Two windows refuse at once: the one Retry-After comes from is reported."""
    windows = (Window("second", 2, 1), Window("minute", 2, 60))
    redis = Redis.from_url(settings.redis_url or "")
    limiter = RateLimiter(redis, prefix=f"rl-test-{uuid.uuid4()}")
    try:
        for _ in range(2):
            assert (await limiter.hit("h", Policy(windows, headline="second"))).allowed
        refused = await limiter.hit("h", Policy(windows, headline="second"))
        today = await limiter.hit("h", Policy(windows))
    finally:
        await redis.aclose()
    assert not refused.allowed
    assert refused.window.name == "minute"
    assert refused.retry_after_seconds >= 29  # the minute window: one back every 30 s
    assert refused.headers()["RateLimit"].startswith('"minute";r=0;')
    assert today.window.name == "second"  # unchanged without a headline: the first fewest
