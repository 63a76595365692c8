"""An ICS feed served by a local HTTP server: its events block slots, and a 304 on resync
costs no parse."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.calendars.busy import CALENDAR_REFRESHER
from slotwise.calendars.sync import Syncer
from slotwise.settings import Settings
from tests.calendars.conftest import slots, starts, sync, until
from tests.support import bookings as support
from tests.support.factories import Side
from tests.support.radicale import vevent
from tests.support.webhook_receiver import Receiver, Reply

MONDAY = support.monday()


def feed(hour: int) -> bytes:
    start = f";TZID=Europe/Berlin:{MONDAY:%Y%m%d}T{hour:02d}0000"
    end = f";TZID=Europe/Berlin:{MONDAY:%Y%m%d}T{hour + 1:02d}0000"
    return vevent("feed-event", start, end).replace("\n", "\r\n").encode()


async def test_feed_blocks_slots_and_an_unchanged_feed_is_not_parsed(
    client: AsyncTestClient[Litestar], syncer: Syncer, side_a: Side, receiver: Receiver
) -> None:
    meeting_type = await support.make_type(client, side_a)
    ten, three = support.at(10).isoformat(), support.at(15).isoformat()
    receiver.plan(
        "/feed.ics",
        Reply(200, {"etag": '"v1"', "content-type": "text/calendar"}, body=feed(10)),
        Reply(304, {"etag": '"v1"'}, body=b""),
        Reply(200, {"etag": '"v2"', "content-type": "text/calendar"}, body=feed(15)),
    )
    response = await client.post(
        "/v4/calendar-connections",
        json={"provider": "ics", "url": receiver.url("/feed.ics")},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert response.status_code == 201, response.text
    created = response.json()
    (calendar,) = created["calendars"]
    assert calendar["readOnly"] is True
    assert calendar["receivesBookings"] is False
    offered = await starts(client, side_a, meeting_type, MONDAY)
    assert ten not in offered
    assert three in offered

    unchanged = await sync(syncer, side_a, created["id"])
    assert (unchanged.error, unchanged.changed, unchanged.parsed) == (None, False, 0)
    assert receiver.on("/feed.ics")[-1].headers["if-none-match"] == '"v1"'

    changed = await sync(syncer, side_a, created["id"])
    assert (changed.changed, changed.parsed) == (True, 1)
    offered = await starts(client, side_a, meeting_type, MONDAY)
    assert ten in offered
    assert three not in offered


async def test_a_feed_that_is_not_icalendar_is_refused(
    client: AsyncTestClient[Litestar], side_a: Side, receiver: Receiver
) -> None:
    receiver.plan("/page", Reply(200, {"content-type": "text/html"}, body=b"<html></html>"))
    response = await client.post(
        "/v4/calendar-connections",
        json={"provider": "ics", "url": receiver.url("/page")},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"


async def test_a_slow_feed_does_not_hold_up_the_slot_answer(
    client: AsyncTestClient[Litestar], app: Litestar, settings: Settings, side_a: Side,
    receiver: Receiver,
) -> None:  # fmt: skip
    meeting_type = await support.make_type(client, side_a)
    ten, three = support.at(10).isoformat(), support.at(15).isoformat()
    receiver.plan(
        "/slow.ics",
        Reply(200, {"content-type": "text/calendar"}, body=feed(10)),
        Reply(200, {"content-type": "text/calendar"}, body=feed(15), delay=1.5),
    )
    response = await client.post(
        "/v4/calendar-connections",
        json={"provider": "ics", "url": receiver.url("/slow.ics")},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert response.status_code == 201, response.text
    connection_id = response.json()["id"]
    await support.execute(
        settings,
        "UPDATE calendar_connection SET synced_at = now() - interval '1 hour' WHERE id = $1",
        connection_id,
    )
    CALENDAR_REFRESHER.of(app.state).wait_seconds = 0.1

    body = await slots(client, side_a, meeting_type, MONDAY)
    assert body["calendarsStale"] is True  # answered from the last copy, the sync goes on
    assert ten not in [s["startTime"] for d in body["dates"] for s in d["spots"]]

    async def synced() -> bool:
        rows = await support.fetch(
            settings,
            "SELECT 1 FROM calendar_connection"
            " WHERE id = $1 AND synced_at > now() - interval '1 minute'",
            connection_id,
        )
        return bool(rows)

    await until(synced)
    body = await slots(client, side_a, meeting_type, MONDAY)
    assert "calendarsStale" not in body
    offered = [s["startTime"] for d in body["dates"] for s in d["spots"]]
    assert ten in offered
    assert three not in offered
