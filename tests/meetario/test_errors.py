"""Errors under /api/v1 come in the Meetario sheet's envelope: `{error, message, status_code,
timestamp, details?}`, 422 for validation with the request's own (snake_case) field names."""

import re
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.meetario.test_booking_flow import bearer
from tests.support.bookings import at, make_type, monday
from tests.support.factories import Side

Client = AsyncTestClient[Litestar]
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def envelope(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status_code"] == status
    assert body["error"] == error
    assert TIMESTAMP.match(body["timestamp"]), body
    assert isinstance(body["message"], str)
    assert body["message"]
    assert "statusCode" not in body
    return body


async def test_no_or_a_bad_token_is_401(client: Client) -> None:
    envelope(await client.get("/api/v1/events"), 401, "unauthorized")
    bad = {"authorization": "Bearer pat_nonsense"}
    envelope(await client.get("/api/v1/events", headers=bad), 401, "unauthorized")


async def test_a_missing_scope_is_403(client: Client, settings: Settings, side_a: Side) -> None:
    headers = await bearer(settings, side_a, "users:read", "event_types:read")
    body = envelope(await client.get("/api/v1/events", headers=headers), 403, "forbidden")
    assert body["message"] == "Missing scope: events:read"
    read_only = await bearer(settings, side_a, "events:read")
    assert (await client.get("/api/v1/events", headers=read_only)).status_code == 200
    refused = await client.post("/api/v1/events", json={}, headers=read_only)
    assert envelope(refused, 403, "forbidden")["message"] == "Missing scope: events:write"
    # the broad /v4 scope still covers these routes, as an rgo- token
    broad = {"authorization": f"Bearer {side_a.scheduling_pat.token}"}
    assert (await client.get("/api/v1/events", headers=broad)).status_code == 200


async def test_unknown_and_foreign_ids_are_404(
    client: Client, settings: Settings, side_a: Side, side_b: Side
) -> None:
    headers = await bearer(settings, side_a)
    for ref in (
        "999999999",
        "evt_" + "0" * 32,
        "et_" + "0" * 32,
        "nonsense",
        str(side_b.appointment_id),
    ):
        envelope(await client.get(f"/api/v1/events/{ref}", headers=headers), 404, "not_found")
    envelope(await client.get("/api/v1/nowhere", headers=headers), 404, "not_found")


async def test_validation_is_422_naming_the_fields(
    client: Client, settings: Settings, side_a: Side
) -> None:
    meeting_type = await make_type(client, side_a)
    headers = await bearer(settings, side_a)
    missing = await client.post(
        "/api/v1/events",
        json={"event_type_id": meeting_type["id"], "attendee_name": "John Doe"},
        headers=headers,
    )
    body = envelope(missing, 422, "validation_error")
    assert body["details"][0]["field"] == "attendee_email"
    naive = await client.post(
        "/api/v1/events",
        json={
            "event_type_id": meeting_type["id"],
            "attendee_email": "john@example.com",
            "attendee_name": "John Doe",
            "start_time": "2030-01-07T10:00:00",
        },
        headers=headers,
    )
    assert envelope(naive, 422, "validation_error")["details"][0]["field"] == "start_time"
    off_slot = await client.post(
        "/api/v1/events",
        json={
            "event_type_id": meeting_type["id"],
            "attendee_email": "john@example.com",
            "attendee_name": "John Doe",
            "start_time": at(3, day=monday(3)).isoformat(),
        },
        headers=headers,
    )
    assert off_slot.status_code in (409, 422), off_slot.text
    assert off_slot.json()["status_code"] == off_slot.status_code
    unknown = await client.post(
        "/api/v1/events", json={"event_type_id": 1, "surprise": True}, headers=headers
    )
    fields = {d["field"] for d in envelope(unknown, 422, "validation_error")["details"]}
    assert "surprise" in fields
    for query, field in (("page=0", "page"), ("limit=101", "limit"), ("status=done", "status")):
        bad = await client.get(f"/api/v1/events?{query}", headers=headers)
        assert envelope(bad, 422, "validation_error")["details"][0]["field"] == field
    far = await client.get(
        f"/api/v1/event_types/{meeting_type['id']}/availability?start_date=0001-01-01",
        headers=headers,
    )
    assert envelope(far, 422, "validation_error")["details"][0]["field"] == "start_date"
    # nothing was booked by any of them
    listed = await client.get("/api/v1/events?limit=100", headers=headers)
    assert all(e["invitee"]["email"] != "john@example.com" for e in listed.json()["data"])
