"""`GET /metrics`: 404 unless a token is configured, only to that token, never rate-limited or
documented; requests counted by route template, method and status; the outboxes' lag read at
scrape time."""

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.app import create_app
from slotwise.models import WebhookDelivery
from slotwise.settings import Settings
from tests.support.factories import Tenant, make_delivery, make_tenant, make_webhook
from tests.support.metrics import AUTH, TOKEN, label_values, local, scraped


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, metrics_token=TOKEN)


@pytest.fixture
async def tenant(app: Litestar, settings: Settings) -> Tenant:
    return await make_tenant(settings, "Metrics")


# each test takes `app` for its clean-up (rows and Redis keys), even when it builds its own
async def test_not_found_without_the_setting(app: Litestar, settings: Settings) -> None:
    app = create_app(msgspec.structs.replace(settings, metrics_token=None))
    async with AsyncTestClient(app) as client:
        answered = await client.get("/metrics", headers=AUTH)
        unknown = await client.get("/v4/no/such/path")
    assert answered.status_code == unknown.status_code == 404
    assert answered.json() == unknown.json()
    assert "/metrics" not in (app.openapi_schema.paths or {})


async def test_only_the_token_is_answered(client: AsyncTestClient[Litestar]) -> None:
    missing = await client.get("/metrics")
    wrong = await client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}x"})
    basic = await client.get("/metrics", headers={"authorization": f"Basic {TOKEN}"})
    assert missing.status_code == wrong.status_code == basic.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    answered = await client.get("/metrics", headers=AUTH)
    assert answered.status_code == 200
    assert answered.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "# TYPE slotwise_http_requests_total counter" in answered.text
    assert "# TYPE slotwise_http_request_duration_seconds histogram" in answered.text


async def test_requests_counted_by_route_template(
    client: AsyncTestClient[Litestar], tenant: Tenant
) -> None:
    appointment = ("/v4/appointment/{appointment_id}", "GET", "404")
    created = ("/v4/api-key", "POST", "201")
    unmatched = ("unmatched", "GET", "404")
    names = ("route", "method", "status")
    before = {
        labels: local("slotwise_http_requests_total", **dict(zip(names, labels, strict=True)))
        for labels in (appointment, created, unmatched)
    }
    missing_id = uuid.uuid4()
    owner = tenant.headers(tenant.owner_id)
    for _ in range(2):
        response = await client.get(f"/v4/appointment/{missing_id}", headers=owner)
        assert response.status_code == 404
    key = {"name": "scraper", "expiresInDays": 7}
    assert (await client.post("/v4/api-key", json=key, headers=tenant.headers())).status_code == 201
    assert (await client.get(f"/v4/nowhere/{missing_id}/x")).status_code == 404

    text = (await client.get("/metrics", headers=AUTH)).text
    for labels, sent in ((appointment, 2), (created, 1), (unmatched, 1)):
        by = dict(zip(names, labels, strict=True))
        assert local("slotwise_http_requests_total", **by) - before[labels] == sent
        assert scraped(text, "slotwise_http_requests_total", **by) >= sent
        assert scraped(text, "slotwise_http_request_duration_seconds_count", **by) >= sent
        assert scraped(text, "slotwise_http_request_duration_seconds_bucket", le="+Inf", **by)
    routes = label_values(text, "slotwise_http_requests_total", "route")
    assert not any(str(missing_id) in route for route in routes)  # never the raw path
    assert scraped(text, "slotwise_db_pool_connections", state="idle") >= 1


async def test_metrics_are_not_rate_limited(app: Litestar, settings: Settings) -> None:
    strict = msgspec.structs.replace(settings, rate_limit_per_minute=1, rate_limit_burst=1)
    before = local("slotwise_rate_limit_rejections_total", limit="requests")
    async with AsyncTestClient(create_app(strict)) as client:
        limited = [(await client.get("/v4/user/me")).status_code for _ in range(3)]
        scrapes = [(await client.get("/metrics", headers=AUTH)).status_code for _ in range(5)]
        slug_page = await client.get("/metrics-team")  # a booking page: limited as ever
    assert limited[-1] == 429
    assert scrapes == [200] * 5
    assert slug_page.status_code == 429
    after = local("slotwise_rate_limit_rejections_total", limit="requests")
    assert after - before == limited.count(429) + 1  # and the booking page


async def test_outbox_lag_is_the_wait_of_the_oldest_due_row(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    tenant: Tenant,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    text = (await client.get("/metrics", headers=AUTH)).text
    assert scraped(text, "slotwise_outbox_lag_seconds", outbox="webhook") == 0
    assert scraped(text, "slotwise_outbox_lag_seconds", outbox="mail") == 0

    await make_webhook(settings, tenant, url="https://hooks.example.test/in")
    (delivery_id,) = await make_delivery(settings, tenant)
    async with sessions() as session, session.begin():
        await session.execute(
            update(WebhookDelivery)  # unscoped: a test moves its own row back in time
            .where(WebhookDelivery.id == delivery_id)
            .values(next_attempt_at=datetime.now(UTC) - timedelta(hours=1))
        )
    text = (await client.get("/metrics", headers=AUTH)).text
    lag = scraped(text, "slotwise_outbox_lag_seconds", outbox="webhook")
    assert 3600 <= lag < 3600 + 60
    assert scraped(text, "slotwise_outbox_lag_seconds", outbox="mail") == 0


async def test_refused_verifications_are_counted(app: Litestar, settings: Settings) -> None:
    strict = msgspec.structs.replace(settings, auth_failures_per_credential=1)
    tenant = await make_tenant(settings, "Guessed")
    prefix, _, secret = tenant.api_key.rpartition(":")
    guessed = {"authorization": f"Bearer {prefix}:{secret[::-1]}"}
    before = local("slotwise_rate_limit_rejections_total", limit="auth_failures")
    async with AsyncTestClient(create_app(strict)) as client:
        statuses = [
            (await client.get("/v4/user/me", headers=guessed)).status_code for _ in range(3)
        ]
    assert statuses[0] == 401
    assert statuses[-1] == 429
    after = local("slotwise_rate_limit_rejections_total", limit="auth_failures")
    assert after - before == statuses.count(429)
