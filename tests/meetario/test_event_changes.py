"""Cancelling and rescheduling an event under /api/v1: the same lifecycle as /v4 (the slot is
freed or moved, the audit log names the appointment), in the sheet's shapes."""

import uuid
from datetime import UTC, date

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.meetario.test_booking_flow import bearer
from tests.support.bookings import at, book, fetch, make_type, monday
from tests.support.factories import Side

Client = AsyncTestClient[Litestar]


def z(hour: int, day: date) -> str:
    return at(hour, day=day).isoformat()


async def test_cancel_frees_the_slot_and_is_recorded(
    client: Client, settings: Settings, side_a: Side
) -> None:
    meeting_type = await make_type(client, side_a)
    headers = await bearer(settings, side_a)
    day = monday(3)
    booked = await book(client, side_a, meeting_type, at(10, day=day))
    number = (
        await client.get(
            f"/api/v1/events/evt_{uuid.UUID(booked['appointmentId']).hex}", headers=headers
        )
    ).json()["data"]["id"]

    cancelled = await client.post(
        f"/api/v1/events/{number}/cancel", json={"reason": "Plans changed"}, headers=headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["data"]["status"] == "cancelled"
    # the slot is free again, for /v4 too
    await book(client, side_a, meeting_type, at(10, day=day))
    entries = await fetch(
        settings,
        "SELECT action, resource_id FROM audit_log WHERE action = 'booking.cancel'",
    )
    assert [(e["action"], str(e["resource_id"])) for e in entries] == [
        ("booking.cancel", booked["appointmentId"])
    ]
    again = await client.post(f"/api/v1/events/{number}/cancel", json={}, headers=headers)
    assert again.status_code == 409, again.text
    assert again.json()["status_code"] == 409


async def test_reschedule_moves_to_a_listed_slot(
    client: Client, settings: Settings, side_a: Side
) -> None:
    meeting_type = await make_type(client, side_a)
    headers = await bearer(settings, side_a)
    day = monday(3)
    booked = await book(client, side_a, meeting_type, at(10, day=day))
    ref = f"evt_{uuid.UUID(booked['appointmentId']).hex}"
    moved = await client.post(
        f"/api/v1/events/{ref}/reschedule", json={"start_time": z(14, day)}, headers=headers
    )
    assert moved.status_code == 200, moved.text
    event = moved.json()["data"]
    assert event["start_time"] == at(14, day=day).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    v4 = await client.get(
        f"/v4/appointment/{booked['appointmentId']}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert v4.json()["rescheduleCount"] == 1
    # the old slot is free, the new one taken
    await book(client, side_a, meeting_type, at(10, day=day))
    await book(client, side_a, meeting_type, at(14, day=day), expect=409)
    night = await client.post(
        f"/api/v1/events/{ref}/reschedule", json={"start_time": z(3, day)}, headers=headers
    )
    assert night.status_code == 409, night.text
    far = await client.post(
        f"/api/v1/events/{ref}/reschedule",
        json={"start_time": "2250-01-07T10:00:00Z"},
        headers=headers,
    )
    assert far.status_code == 422, far.text
    assert far.json()["details"][0]["field"] == "start_time"
    missing = await client.post(f"/api/v1/events/{ref}/reschedule", json={}, headers=headers)
    assert missing.status_code == 422
    assert missing.json()["details"][0]["field"] == "start_time"
