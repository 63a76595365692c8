"""The transactional outbox: events exist exactly when the change that caused them committed."""

from datetime import UTC, datetime

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.app import create_app
from slotwise.bookings import schemas as bs
from slotwise.bookings.services.booking import BookingService
from slotwise.models import EndpointStatus
from slotwise.settings import Settings
from slotwise.webhooks.events import EventType, emit
from tests.support.factories import (
    Tenant,
    attendee_body,
    book,
    make_scheduling,
    make_user,
    make_webhook,
    owner_principal,
)

START = datetime(2031, 3, 4, 9, tzinfo=UTC)


async def rows(settings: Settings, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def subscribed(settings: Settings, tenant: Tenant, event: str) -> list[str]:
    """Two active subscribers, one inactive subscriber and one active non-subscriber."""
    active = [await make_webhook(settings, tenant, event_types=(event,)) for _ in range(2)]
    await make_webhook(settings, tenant, event_types=(event,), status=EndpointStatus.INACTIVE)
    await make_webhook(settings, tenant, event_types=("booking_rescheduled",))
    return sorted(str(w.id) for w in active)


def user_body(email: str) -> dict[str, str]:
    return {"email": email, "givenName": "Eve", "familyName": "Hook", "timezone": "Europe/Berlin"}


async def test_rolled_back_booking_leaves_no_event_and_committed_one_an_event_per_endpoint(
    settings: Settings, tenant: Tenant, sessions: async_sessionmaker[AsyncSession]
) -> None:
    expected = await subscribed(settings, tenant, "booking_created")
    host = await make_user(settings, tenant)
    scheduling = await make_scheduling(settings, tenant, host)
    body = msgspec.convert(
        {
            "meetingTypeId": str(scheduling.meeting_type_id),
            "start": START.isoformat(),
            "attendee": attendee_body(),
            "ignoreAvailability": True,
        },
        bs.BookingCreate,
    )

    async def book_then_fail() -> None:
        async with sessions() as session, session.begin():
            principal = owner_principal(tenant)
            service = BookingService(
                session, principal.company_id, settings.provisional_ttl_minutes, principal
            )
            await service.create(body)
            await session.flush()
            raise RuntimeError("something failed after the booking")

    with pytest.raises(RuntimeError, match="after the booking"):
        await book_then_fail()
    assert (
        await rows(settings, "SELECT id FROM appointment WHERE start_at = '2031-03-04 09:00Z'")
        == []
    )
    assert await rows(settings, "SELECT id FROM webhook_event") == []
    assert await rows(settings, "SELECT id FROM webhook_delivery") == []

    booked = await book(
        settings, tenant, scheduling.meeting_type_id, START, ignore_availability=True
    )
    assert isinstance(booked, bs.BookingCreated)
    (event,) = await rows(settings, "SELECT id, type, payload FROM webhook_event")
    assert event["type"] == "booking_created"
    deliveries = await rows(settings, "SELECT endpoint_id, event_id, status FROM webhook_delivery")
    assert sorted(str(d["endpoint_id"]) for d in deliveries) == expected
    assert {(d["event_id"], d["status"]) for d in deliveries} == {(event["id"], "pending")}

    payload = msgspec.json.decode(event["payload"])
    assert payload["webhookType"] == "booking_created"
    assert payload["id"] == str(booked.appointment_id)
    assert payload["companyId"] == str(tenant.company_id)
    assert {"start", "end", "attendees", "hosts", "eventId", "occurredAt"} <= set(payload)
    assert payload["eventId"].startswith("msg_")
    assert "secret" not in payload
    assert booked.secret not in event["payload"].decode()


async def test_emit_in_a_rolled_back_transaction_records_nothing(
    settings: Settings, tenant: Tenant, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await subscribed(settings, tenant, "new_employee")

    async def emit_then_fail() -> None:
        async with sessions() as session, session.begin():
            await emit(session, tenant.company_id, EventType.NEW_EMPLOYEE, {"userId": "u"})
            assert len(session.info["slotwise.jobs.wakeups"]) == 2
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError, match="rolled back"):
        await emit_then_fail()
    assert await rows(settings, "SELECT id FROM webhook_event") == []


async def test_no_subscriber_no_event(settings: Settings, tenant: Tenant) -> None:
    await make_webhook(settings, tenant, event_types=("booking_cancelled",))
    from tests.support.factories import make_delivery

    assert await make_delivery(settings, tenant) == []
    assert await rows(settings, "SELECT id FROM webhook_event") == []


async def test_provisioning_commits_deliveries_then_sends_json_wake_ups(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant
) -> None:
    expected = await subscribed(settings, tenant, "new_employee")
    response = await client.post(
        "/v4/user", json=user_body("eve@hooks.test"), headers=tenant.headers()
    )
    assert response.status_code == 201, response.text
    deliveries = await rows(settings, "SELECT id, endpoint_id FROM webhook_delivery")
    assert sorted(str(d["endpoint_id"]) for d in deliveries) == expected
    (event,) = await rows(settings, "SELECT payload FROM webhook_event")
    payload = msgspec.json.decode(event["payload"])
    assert payload["webhookType"] == "new_employee"
    assert payload["userId"] == response.json()["userId"]

    redis = Redis.from_url(settings.redis_url or "")
    try:
        queued = {job.decode() for job in await redis.zrange("arq:queue", 0, -1)}
        assert queued == {f"dlv:{d['id']}:1" for d in deliveries}
        job = msgspec.json.decode(await redis.get(f"arq:job:dlv:{deliveries[0]['id']}:1"))
        assert (job["f"], job["a"]) == ("webhooks.deliver", [str(deliveries[0]["id"])])
    finally:
        await redis.aclose()


async def test_failed_request_sends_no_wake_up(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant
) -> None:
    await subscribed(settings, tenant, "new_employee")
    ok = await client.post("/v4/user", json=user_body("dup@hooks.test"), headers=tenant.headers())
    assert ok.status_code == 201
    redis = Redis.from_url(settings.redis_url or "")
    try:
        await redis.delete("arq:queue")
        again = await client.post(
            "/v4/user", json=user_body("dup@hooks.test"), headers=tenant.headers()
        )
        assert again.status_code == 409
        assert await redis.zcard("arq:queue") == 0
    finally:
        await redis.aclose()
    assert len(await rows(settings, "SELECT id FROM webhook_event")) == 1


async def test_requests_succeed_while_redis_is_down(
    app: Litestar, settings: Settings, tenant: Tenant
) -> None:
    await subscribed(settings, tenant, "new_employee")
    closed = msgspec.structs.replace(settings, redis_url="redis://127.0.0.1:9/0")
    async with AsyncTestClient(create_app(closed)) as down:
        response = await down.post(
            "/v4/user", json=user_body("offline@hooks.test"), headers=tenant.headers()
        )
    assert response.status_code == 201, response.text
    deliveries = await rows(settings, "SELECT status FROM webhook_delivery")
    assert [d["status"] for d in deliveries] == ["pending", "pending"]
