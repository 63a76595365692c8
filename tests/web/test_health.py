"""Liveness and readiness against the real services."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.app import create_app
from slotwise.settings import Settings, load_settings


async def test_live(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_postgres_and_redis(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"postgres": "ok", "redis": "ok"}}


async def test_ready_names_the_failing_part(settings: Settings) -> None:
    broken = load_settings(
        {},
        database_url="postgresql://postgres@127.0.0.1:1/none",
        redis_url=settings.redis_url,
        argon2_profile="cheapest",
    )
    async with AsyncTestClient(create_app(broken)) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["statusCode"] == 503
    assert body["error"] == "Service Unavailable"
    assert body["message"] == "Not ready: postgres"
    assert body["checks"]["redis"] == "ok"
    assert body["checks"]["postgres"].startswith("error")


async def test_ready_without_redis_is_degraded_not_down(settings: Settings) -> None:
    broken = load_settings(
        {},
        database_url=settings.database_url,
        redis_url="redis://127.0.0.1:1/0",
        argon2_profile="cheapest",
    )
    async with AsyncTestClient(create_app(broken)) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["redis"].startswith("error")
