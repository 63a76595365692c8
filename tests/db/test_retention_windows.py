"""Finished webhook deliveries, mails and audit entries go once their retention is over; newer
ones and unfinished ones stay."""

import uuid

from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.settings import Settings
from slotwise.worker import purge_old_rows
from tests.support.bookings import execute, fetch
from tests.support.factories import Side, make_delivery

OLD = "now() - interval '400 days'"
NOTIFICATION = (
    "INSERT INTO notification (id, company_id, appointment_id, kind, recipient, language,"
    " status, attempts, next_attempt_at, context, updated_at)"
    " VALUES ($1, $2, $3, 'booking_confirmed', 'x@example.test', 'en', $4, 0, now(), '{{}}', {at})"
)
AUDIT = (
    "INSERT INTO audit_log (id, company_id, credential_kind, action, resource_type, request_id,"
    " client_address, created_at) VALUES ($1, $2, 'api_key', 'user.update', 'user', 'r', 'a', {at})"
)


async def _ids(settings: Settings, table: str) -> set[uuid.UUID]:
    return {row["id"] for row in await fetch(settings, f"SELECT id FROM {table}")}  # noqa: S608


async def test_each_table_keeps_what_is_new_or_unfinished(
    app: Litestar,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    side_a: Side,
) -> None:
    company = side_a.tenant.company_id
    await execute(settings, "DELETE FROM webhook_delivery")
    deliveries = {}
    for name, status, at in (
        ("old_delivered", "delivered", OLD),
        ("old_failed", "failed", OLD),
        ("old_pending", "pending", OLD),
        ("new_delivered", "delivered", "now()"),
    ):
        (deliveries[name],) = await make_delivery(settings, side_a.tenant)
        await execute(
            settings,
            f"UPDATE webhook_delivery SET status = $2, updated_at = {at} WHERE id = $1",  # noqa: S608
            deliveries[name],
            status,
        )
    notifications = {}
    for name, status, at in (
        ("old_sent", "sent", OLD),
        ("old_skipped", "skipped", OLD),
        ("old_queued", "queued", OLD),
        ("new_sent", "sent", "now()"),
    ):
        notifications[name] = uuid.uuid4()
        await execute(
            settings,
            NOTIFICATION.format(at=at),
            notifications[name],
            company,
            side_a.appointment_id,
            status,
        )
    audits = {"old": uuid.uuid4(), "new": uuid.uuid4()}
    await execute(settings, AUDIT.format(at=OLD), audits["old"], company)
    await execute(settings, AUDIT.format(at="now() - interval '300 days'"), audits["new"], company)
    await execute(
        settings,
        "UPDATE change_log SET changed_at = now() - interval '31 days' WHERE resource_id = $1",
        side_a.member_id,
    )
    old_changes = await fetch(
        settings, "SELECT seq FROM change_log WHERE resource_id = $1", side_a.member_id
    )

    totals = await purge_old_rows({"sessionmaker": sessions, "settings": settings})

    assert totals == {
        "webhook_delivery": 2,
        "webhook_event": 0,  # the purged deliveries' events are new
        "notification": 2,
        "audit_log": 1,
        "change_log": len(old_changes),
    }
    assert old_changes
    remaining = await fetch(settings, "SELECT resource_id FROM change_log")
    assert remaining
    assert side_a.member_id not in {row["resource_id"] for row in remaining}
    assert await _ids(settings, "webhook_delivery") & set(deliveries.values()) == {
        deliveries["old_pending"],
        deliveries["new_delivered"],
    }
    assert await _ids(settings, "notification") & set(notifications.values()) == {
        notifications["old_queued"],
        notifications["new_sent"],
    }
    # the fixtures' own entries are new: only the old one goes
    assert await _ids(settings, "audit_log") & set(audits.values()) == {audits["new"]}


async def _event_of(
    settings: Settings, delivery_id: uuid.UUID, *, status: str, at: str
) -> uuid.UUID:
    """Set the delivery's status and its event's time; the event's id."""
    await execute(
        settings,
        "UPDATE webhook_delivery SET status = $2, updated_at = now() - interval '400 days'"
        " WHERE id = $1",
        delivery_id,
        status,
    )
    (row,) = await fetch(
        settings,
        f"UPDATE webhook_event SET occurred_at = {at} WHERE id ="  # noqa: S608
        " (SELECT event_id FROM webhook_delivery WHERE id = $1) RETURNING id",
        delivery_id,
    )
    event_id: uuid.UUID = row["id"]
    return event_id


async def test_an_old_event_goes_once_no_delivery_is_left_for_it(
    app: Litestar,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    side_a: Side,
) -> None:
    events = {}
    for name, status, at in (
        ("old_delivered", "delivered", OLD),
        ("old_pending", "pending", OLD),
        ("new_delivered", "delivered", "now()"),
    ):
        (delivery_id,) = await make_delivery(settings, side_a.tenant)
        events[name] = await _event_of(settings, delivery_id, status=status, at=at)
    totals = await purge_old_rows({"sessionmaker": sessions, "settings": settings})

    assert totals["webhook_event"] == 1
    assert await _ids(settings, "webhook_event") & set(events.values()) == {
        events["old_pending"],
        events["new_delivered"],
    }
