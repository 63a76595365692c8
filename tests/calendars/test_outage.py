"""Radicale stopped: slots answer from the last copy and say so, the connection shows the
error (one `credential_error` webhook), and a booking written meanwhile lands once it is back."""

from datetime import UTC

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.calendars.caldav import event_href
from slotwise.calendars.push import Pusher
from slotwise.calendars.sync import Syncer
from slotwise.settings import Settings
from tests.calendars.conftest import Account, push_all, slots, sync
from tests.calendars.test_caldav import berlin, connect, local
from tests.support import bookings as support
from tests.support.factories import Side, make_webhook
from tests.support.radicale import vevent
from tests.support.webhook_receiver import Receiver

MONDAY = support.monday()


def offered(body: dict[str, object]) -> list[str]:
    dates = body["dates"]
    assert isinstance(dates, list)
    return [spot["startTime"] for day in dates for spot in day["spots"]]


async def test_a_stopped_server_keeps_slots_working_and_the_write_lands_later(
    *,
    client: AsyncTestClient[Litestar],
    settings: Settings,
    syncer: Syncer,
    pusher: Pusher,
    side_a: Side,
    account: Account,
    receiver: Receiver,
) -> None:
    await make_webhook(
        settings, side_a.tenant, url=receiver.url(), event_types=("credential_error",)
    )
    meeting_type = await support.make_type(client, side_a)
    created = await connect(client, side_a, account)
    work = next(c["id"] for c in created["calendars"] if c["name"] == "Work")
    headers = side_a.tenant.headers(side_a.member_id)
    url = f"/v4/calendar-connections/{created['id']}"
    chosen = await client.patch(url, json={"bookingCalendarId": work}, headers=headers)
    assert chosen.status_code == 200
    account.server.put_event(account.work, "dentist", vevent("dentist", berlin(10), berlin(11)))
    await sync(syncer, side_a, created["id"])
    booked = await support.book(client, side_a, meeting_type, support.at(14))
    appointment_id = booked["appointmentId"]
    assert await push_all(settings, pusher) == ["done"]

    account.server.stop()
    try:
        # the copy goes stale: the slot request tries a sync, which fails at once
        await support.execute(
            settings,
            "UPDATE calendar_connection SET synced_at = now() - interval '1 hour' WHERE id = $1",
            created["id"],
        )
        body = await slots(client, side_a, meeting_type, MONDAY)
        assert body["calendarsStale"] is True
        assert local(10) not in offered(body)  # the last copy still blocks
        assert local(9) in offered(body)
        await support.execute(settings, "UPDATE calendar_connection SET sync_locked_until = NULL")
        again = await sync(syncer, side_a, created["id"])
        assert again.error is not None
        headers = side_a.tenant.headers(side_a.member_id)
        shown = await client.get(f"/v4/calendar-connections/{created['id']}", headers=headers)
        assert shown.json()["isConnected"] is False
        assert shown.json()["error"]
        events = await support.fetch(
            settings, "SELECT payload FROM webhook_event WHERE type = 'credential_error'"
        )
        assert len(events) == 1  # once, however many syncs fail
        assert created["id"].encode() in events[0]["payload"]

        moved = await client.post(
            f"/v4/appointment/{appointment_id}/reschedule",
            json={"start": support.at(15).isoformat()},
            headers=headers,
        )
        assert moved.status_code in (200, 201), moved.text
        assert await push_all(settings, pusher) == ["queued"]  # failed: retried later
        (row,) = await support.fetch(settings, "SELECT status, error FROM calendar_push")
        assert row["status"] == "queued"
        assert row["error"]
    finally:
        account.server.start()

    await support.execute(settings, "UPDATE calendar_push SET next_attempt_at = now()")
    assert await push_all(settings, pusher) == ["done"]
    written = account.server.get(event_href(account.work, f"{appointment_id}@slotwise"))
    assert f"DTSTART:{support.at(15).astimezone(UTC):%Y%m%dT%H%M%SZ}" in written.text
    await support.execute(settings, "UPDATE calendar_connection SET sync_locked_until = NULL")
    assert (await sync(syncer, side_a, created["id"])).error is None
    body = await slots(client, side_a, meeting_type, MONDAY)
    assert "calendarsStale" not in body
