"""The Meetario sheet's "Complete Booking Flow", run as its clients send it, and the same
bookings seen from /v4 and back: one store, two dialects."""

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.auth.scopes import ScopeName
from slotwise.settings import Settings
from tests.support.bookings import at, book, execute, make_type, monday
from tests.support.factories import Side, make_pat

Client = AsyncTestClient[Litestar]


#: what the sheet's integrations ask for
SCOPES: tuple[ScopeName, ...] = ("events:write", "event_types:read", "users:read")


async def bearer(settings: Settings, side: Side, *scopes: ScopeName) -> dict[str, str]:
    """A `pat_` token of the side's member, as the sheet's clients send it."""
    pat = await make_pat(settings, side.tenant, side.member_id, scopes or SCOPES, style="pat")
    assert pat.token.startswith("pat_")
    return {"authorization": f"Bearer {pat.token}", "content-type": "application/json"}


async def test_the_sheets_complete_booking_flow(
    client: Client, settings: Settings, side_a: Side
) -> None:
    meeting_type = await make_type(client, side_a)
    headers = await bearer(settings, side_a)
    day = monday(3)

    # 1. Get available event types
    listed = await client.get("/api/v1/event_types", headers=headers)
    assert listed.status_code == 200, listed.text
    # the sheet's rate-limit headers, counted apart from /v4's
    assert listed.headers["x-ratelimit-limit"] == "100"
    used, remaining = listed.headers["x-ratelimit-used"], listed.headers["x-ratelimit-remaining"]
    assert int(used) + int(remaining) == 100
    types = listed.json()
    mine = [t for t in types["data"] if t["uuid"] == f"et_{uuid.UUID(meeting_type['id']).hex}"]
    assert len(mine) == 1, types
    event_type = mine[0]
    assert isinstance(event_type["id"], int)
    assert (event_type["name"], event_type["duration"]) == ("Consult", 30)
    assert event_type["timezone"] == "Europe/Berlin"
    assert event_type["scheduling_settings"]["available_days"] == [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
    ]
    assert types["pagination"] == {"page": 1, "limit": 20, "total": len(types["data"]), "pages": 1}

    # 2. Check availability, with only start_date
    available = await client.get(
        f"/api/v1/event_types/{event_type['id']}/availability?start_date={day}", headers=headers
    )
    assert available.status_code == 200, available.text
    (only_day,) = available.json()["data"]
    assert only_day["date"] == day.isoformat()
    slots = only_day["slots"]
    # Mon 09:00-17:00 Berlin in half hours, every one free
    assert len(slots) == 16
    assert slots[0] == {
        "start_time": at(9, day=day).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_time": at(9, 30, day=day).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "available": True,
    }

    # 3. Create booking
    created = await client.post(
        "/api/v1/events",
        json={
            "event_type_id": event_type["id"],
            "attendee_email": "john@example.com",
            "attendee_name": "John Doe",
            "start_time": slots[0]["start_time"],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    event: dict[str, Any] = created.json()["data"]
    assert event["status"] == "confirmed"
    assert event["start_time"] == slots[0]["start_time"]
    assert event["invitee"] == {"name": "John Doe", "email": "john@example.com", "phone": None}
    assert event["event_type"]["id"] == event_type["id"]
    assert event["uuid"].startswith("evt_")
    assert event["uri"] == f"/api/v1/events/{event['id']}"

    # it is a /v4 appointment like any other
    appointment_id = uuid.UUID(event["uuid"].removeprefix("evt_"))
    v4 = await client.get(
        f"/v4/appointment/{appointment_id}", headers=side_a.tenant.headers(side_a.member_id)
    )
    assert v4.status_code == 200, v4.text
    assert datetime.fromisoformat(v4.json()["start"]) == datetime.fromisoformat(event["start_time"])
    # the slot is taken for /v4 too
    await book(client, side_a, meeting_type, at(9, day=day), expect=409)

    # and a /v4 booking is an event under /api/v1, by either id
    other = await book(client, side_a, meeting_type, at(11, day=day))
    events = (await client.get("/api/v1/events?limit=100", headers=headers)).json()
    uuids = {e["uuid"] for e in events["data"]}
    assert {event["uuid"], f"evt_{uuid.UUID(other['appointmentId']).hex}"} <= uuids
    for ref in (event["id"], event["uuid"]):
        again = await client.get(f"/api/v1/events/{ref}", headers=headers)
        assert again.status_code == 200
        assert again.json()["data"] == event


async def test_the_current_user(client: Client, settings: Settings, side_a: Side) -> None:
    headers = await bearer(settings, side_a)
    response = await client.get("/api/v1/users/me", headers=headers)
    assert response.status_code == 200, response.text
    me = response.json()["data"]
    assert me["uuid"] == f"usr_{side_a.member_id.hex}"
    assert isinstance(me["id"], int)
    assert me["status"] == "active"
    assert me["uri"] == "/api/v1/users/me"
    assert set(me["locale"]) == {"date_format", "time_format", "week_start"}


async def test_statuses_pending_confirmed_completed_and_cancelled(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await bearer(settings, side_a)
    approval = await make_type(
        client, side_a, meetingOptions={"requireHostConfirmation": True}, slug="approval"
    )
    plain = await make_type(client, side_a, slug="plain")
    day = monday(4)
    requested = await client.post(
        "/api/v1/events",
        json={
            "event_type_id": f"et_{uuid.UUID(approval['id']).hex}",
            "attendee_email": "wait@example.com",
            "attendee_name": "Wai Ting",
            "start_time": at(9, day=day).isoformat(),
            "notes": "Please confirm",
        },
        headers=headers,
    )
    assert requested.status_code == 201, requested.text
    pending = requested.json()["data"]
    assert (pending["status"], pending["notes"]) == ("pending", "Please confirm")
    done = await book(client, side_a, plain, at(10, day=day))
    later = await book(client, side_a, plain, at(11, day=day))
    gone = await book(client, side_a, plain, at(12, day=day))
    # one of them is over: moved into the past, as if time had passed
    await execute(
        settings,
        "UPDATE appointment SET start_at = now() - interval '2 hours',"
        " end_at = now() - interval '90 minutes' WHERE id = $1",
        uuid.UUID(done["appointmentId"]),
    )
    cancelled = await client.post(
        f"/v4/appointment/{gone['appointmentId']}/cancel",
        json={"reason": "No longer needed"},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert cancelled.status_code in (200, 201), cancelled.text

    def evt(created: dict[str, Any]) -> str:
        return f"evt_{uuid.UUID(created['appointmentId']).hex}"

    async def listed(status: str) -> set[str]:
        response = await client.get(f"/api/v1/events?status={status}&limit=100", headers=headers)
        assert response.status_code == 200, response.text
        assert {e["status"] for e in response.json()["data"]} <= {status}
        return {e["uuid"] for e in response.json()["data"]}

    assert pending["uuid"] in await listed("pending")
    assert evt(done) in await listed("completed")
    confirmed = await listed("confirmed")
    assert evt(later) in confirmed
    assert evt(done) not in confirmed
    assert evt(gone) in await listed("cancelled")
    by_type = await client.get(
        f"/api/v1/events?event_type={pending['event_type']['id']}", headers=headers
    )
    assert [e["uuid"] for e in by_type.json()["data"]] == [pending["uuid"]]


async def test_pages_count_from_one(client: Client, settings: Settings, side_a: Side) -> None:
    headers = await bearer(settings, side_a)
    meeting_type = await make_type(client, side_a, slug="paged")
    day = monday(5)
    for hour in (9, 10, 11):
        await book(client, side_a, meeting_type, at(hour, day=day))
    first = (await client.get("/api/v1/events?limit=2&page=1", headers=headers)).json()
    total = first["pagination"]["total"]
    assert total >= 3
    assert first["pagination"] == {"page": 1, "limit": 2, "total": total, "pages": -(-total // 2)}
    second = (await client.get("/api/v1/events?limit=2&page=2", headers=headers)).json()
    assert not {e["uuid"] for e in first["data"]} & {e["uuid"] for e in second["data"]}
    beyond = (await client.get(f"/api/v1/events?limit=2&page={total}", headers=headers)).json()
    assert beyond["data"] == []
