"""The completion sweep: once a confirmed appointment ends, `booking_completed` is recorded
exactly once, for /v4 endpoints in meetergo's body and for /api/v1 ones as Meetario's
`booking.completed`; other appointments and companies nobody listens for are only marked."""

import json
import uuid
from datetime import timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.bookings.completion import complete_ended
from slotwise.settings import Settings
from tests.support.bookings import at, book, execute, fetch, make_type, monday
from tests.support.factories import Side, make_pat

Client = AsyncTestClient[Litestar]


async def ended(settings: Settings, appointment_id: str, *, hours_ago: int = 2) -> None:
    """Move a booking into the past, as time would."""
    await execute(
        settings,
        "UPDATE appointment SET start_at = now() - make_interval(hours => $2),"
        " end_at = now() - make_interval(hours => $2) + interval '30 minutes' WHERE id = $1",
        uuid.UUID(appointment_id),
        hours_ago,
    )


async def test_ended_appointments_are_announced_once_in_each_dialect(
    client: Client,
    settings: Settings,
    side_a: Side,
    side_b: Side,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    meeting_type = await make_type(client, side_a)
    day = monday(3)
    done = (await book(client, side_a, meeting_type, at(10, day=day)))["appointmentId"]
    cancelled = (await book(client, side_a, meeting_type, at(11, day=day)))["appointmentId"]
    upcoming = (await book(client, side_a, meeting_type, at(12, day=day)))["appointmentId"]
    cancel = await client.post(
        f"/v4/appointment/{cancelled}/cancel",
        json={},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert cancel.status_code == 200, cancel.text
    await ended(settings, done)
    await ended(settings, cancelled, hours_ago=4)
    # a company nobody listens to: marked, nothing recorded
    other_type = await make_type(client, side_b)
    quiet = (await book(client, side_b, other_type, at(10, day=day)))["appointmentId"]
    await ended(settings, quiet)

    v4 = await client.post(
        "/v4/webhooks",
        json={"endpoint": "https://hooks.example.test/v4", "eventTypes": ["booking_completed"]},
        headers=side_a.tenant.headers(),
    )
    assert v4.status_code == 201, v4.text
    pat = await make_pat(settings, side_a.tenant, side_a.admin_id, ("webhooks:write",), "pat")
    v1 = await client.post(
        "/api/v1/webhooks",
        json={
            "name": "Done",
            "url": "https://hooks.example.test/v1",
            "events": ["booking.completed"],
        },
        headers={"authorization": f"Bearer {pat.token}"},
    )
    assert v1.status_code == 201, v1.text

    assert await complete_ended({"sessionmaker": sessions}) >= 2
    events = await fetch(
        settings,
        "SELECT e.type, e.payload, e.company_id FROM webhook_event e"
        " WHERE e.type IN ('booking_completed', 'booking.completed') ORDER BY e.type",
    )
    assert [e["type"] for e in events] == ["booking.completed", "booking_completed"]
    meetario, meetergo = (json.loads(e["payload"]) for e in events)
    assert meetario["event"] == "booking.completed"
    assert meetario["data"]["uuid"] == f"evt_{uuid.UUID(done).hex}"
    assert meetario["data"]["status"] == "completed"
    assert (meetergo["webhookType"], meetergo["id"]) == ("booking_completed", done)
    deliveries = await fetch(
        settings,
        "SELECT d.endpoint_id FROM webhook_delivery d JOIN webhook_event e"
        " ON e.company_id = d.company_id AND e.id = d.event_id"
        " WHERE e.type IN ('booking_completed', 'booking.completed')",
    )
    hooks = {uuid.UUID(v4.json()["id"]), uuid.UUID(v1.json()["data"]["uuid"][3:])}
    assert {d["endpoint_id"] for d in deliveries} == hooks

    marked = await fetch(
        settings,
        "SELECT id, completed_at FROM appointment WHERE id = ANY($1)",
        [uuid.UUID(i) for i in (done, cancelled, upcoming, quiet)],
    )
    completed = {str(row["id"]) for row in marked if row["completed_at"] is not None}
    assert completed == {done, quiet}

    # exactly once: a second run finds nothing new
    assert await complete_ended({"sessionmaker": sessions}) == 0
    again = await fetch(
        settings,
        "SELECT count(*) AS n FROM webhook_event"
        " WHERE type IN ('booking_completed', 'booking.completed')",
    )
    assert again[0]["n"] == 2


async def test_an_appointment_ending_later_is_announced_when_it_ends(
    client: Client, settings: Settings, side_a: Side, sessions: async_sessionmaker[AsyncSession]
) -> None:
    meeting_type = await make_type(client, side_a)
    booked = (await book(client, side_a, meeting_type, at(10, day=monday(3))))["appointmentId"]
    made = await client.post(
        "/v4/webhooks",
        json={"endpoint": "https://hooks.example.test/v4", "eventTypes": ["booking_completed"]},
        headers=side_a.tenant.headers(),
    )
    assert made.status_code == 201, made.text
    await complete_ended({"sessionmaker": sessions})
    count = "SELECT count(*) AS n FROM webhook_event WHERE type = 'booking_completed'"
    assert (await fetch(settings, count))[0]["n"] == 0
    await ended(settings, booked, hours_ago=0)  # ends 30 minutes from now
    await complete_ended({"sessionmaker": sessions})
    assert (await fetch(settings, count))[0]["n"] == 0
    await execute(
        settings,
        "UPDATE appointment SET end_at = now() - $2::interval,"
        " start_at = now() - $2::interval - interval '30 minutes' WHERE id = $1",
        uuid.UUID(booked),
        timedelta(seconds=1),
    )
    await complete_ended({"sessionmaker": sessions})
    assert (await fetch(settings, count))[0]["n"] == 1
