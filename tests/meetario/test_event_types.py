"""Event types written through /api/v1 in the sheet's flat body: each is a /v4 meeting type
(one store), read back by either dialect, with the sheet's field names in its errors."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.meetario.test_booking_flow import bearer
from tests.meetario.test_errors import envelope
from tests.support.bookings import BERLIN, at, fetch, monday
from tests.support.factories import Side

Client = AsyncTestClient[Litestar]

#: the sheet's example body
STRATEGY_SESSION: dict[str, Any] = {
    "name": "Strategy Session",
    "duration": 60,
    "description": "Deep dive strategy discussion",
    "color": "#7C3AED",
    "location": "zoom_meeting",
    "timezone": "America/New_York",
    "requires_approval": True,
    "buffer_time_before": 15,
    "buffer_time_after": 15,
    "min_advance_booking": 48,
    "max_advance_booking": 90,
    "available_days": ["monday", "tuesday", "wednesday", "thursday"],
    "price": "150.00",
    "currency": "USD",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A dozen requests a second from one token: the sheet's rate limits are not the subject."""
    return msgspec.structs.replace(settings, rate_limit_enabled=False)


async def _writer(settings: Settings, side: Side) -> dict[str, str]:
    return await bearer(settings, side, "event_types:write", "events:write")


async def _create(client: Client, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/event_types", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


def _uuid(event_type: dict[str, Any]) -> uuid.UUID:
    return uuid.UUID(event_type["uuid"].removeprefix("et_"))


async def _v4(client: Client, side: Side, path: str) -> Any:
    response = await client.get(path, headers=side.tenant.headers(side.member_id))
    assert response.status_code == 200, response.text
    return response.json()


async def _audit(settings: Settings, action: str, resource_id: uuid.UUID) -> int:
    rows = await fetch(
        settings,
        "SELECT count(*) AS n FROM audit_log WHERE action = $1 AND resource_id = $2",
        action,
        resource_id,
    )
    return int(rows[0]["n"])


async def test_the_sheets_example_is_created_and_read_back_by_both_dialects(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await _writer(settings, side_a)
    created = await _create(client, headers, **STRATEGY_SESSION)
    assert isinstance(created["id"], int)
    assert created["uuid"].startswith("et_")
    expected = {
        "name": "Strategy Session",
        "slug": "strategy-session",
        "description": "Deep dive strategy discussion",
        "duration": 60,
        "color": "#7C3AED",
        "location": {"type": "zoom_meeting", "display": "Zoom Call", "custom": None},
        "is_active": True,
        "requires_approval": True,
        "scheduling_settings": {
            "buffer_time_before": 15,
            "buffer_time_after": 15,
            "min_advance_booking": 48,
            "max_advance_booking": 90,
            "available_days": ["monday", "tuesday", "wednesday", "thursday"],
        },
        "timezone": "America/New_York",
        "payment": {"is_paid": True, "price": "150.00", "currency": "USD", "payment_method": None},
        "custom_fields": [],
        "uri": f"/api/v1/event_types/{created['id']}",
    }
    assert {key: created[key] for key in expected} == expected

    for ref in (created["id"], created["uuid"], _uuid(created)):
        again = await client.get(f"/api/v1/event_types/{ref}", headers=headers)
        assert again.status_code == 200, again.text
        assert again.json()["data"] == created
    listed = await client.get("/api/v1/event_types?limit=100", headers=headers)
    assert created in listed.json()["data"]

    # the same meeting type under /v4
    v4 = await _v4(client, side_a, f"/v4/meeting-type/{_uuid(created)}")
    info = v4["meetingInfo"]
    assert (info["duration"], info["bufferBefore"], info["bufferAfter"]) == (60, 15, 15)
    assert (info["channel"], v4["price"], v4["currency"]) == ("zoom", "150.00", "USD")
    assert v4["bookingMinimum"] == 48 * 60
    assert v4["daysIntoFuture"] == {"mode": "limit", "bookingLimit": 90 * 1440}
    assert v4["meetingOptions"]["requireHostConfirmation"] is True
    schedule = await _v4(client, side_a, f"/v4/availability/{v4['availabilityId']}")
    assert schedule["timezone"] == "America/New_York"
    assert await _audit(settings, "meeting_type.create", _uuid(created)) == 1


async def test_slots_fall_on_the_available_days_and_last_the_duration(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await _writer(settings, side_a)
    created = await _create(
        client,
        headers,
        name="Tuesdays",
        duration=45,
        timezone="Europe/Berlin",
        available_days=["tuesday"],
    )
    first = monday(1)
    response = await client.get(
        f"/api/v1/event_types/{created['id']}/availability"
        f"?start_date={first}&end_date={first + timedelta(days=6)}",
        headers=headers,
    )
    assert response.status_code == 200, response.text
    (day,) = response.json()["data"]
    assert day["date"] == (first + timedelta(days=1)).isoformat()
    starts = [datetime.fromisoformat(slot["start_time"]) for slot in day["slots"]]
    ends = [datetime.fromisoformat(slot["end_time"]) for slot in day["slots"]]
    # 09:00-17:00 Berlin in 45 minutes: 09:00 .. 15:45
    assert len(starts) == 10
    assert starts[0] == at(9, day=first + timedelta(days=1)).astimezone(UTC)
    lengths = {end - start for start, end in zip(starts, ends, strict=True)}
    assert lengths == {timedelta(minutes=45)}
    assert ends[-1].astimezone(BERLIN).hour < 17


async def test_patch_changes_only_the_fields_sent(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await _writer(settings, side_a)
    created = await _create(client, headers, **STRATEGY_SESSION)
    url = f"/api/v1/event_types/{created['id']}"
    body = {"duration": 30, "location": "phone_call"}
    changed = await client.patch(url, json=body, headers=headers)
    assert changed.status_code == 200, changed.text
    after = changed.json()["data"]
    assert (after["duration"], after["location"]["type"]) == (30, "phone_call")
    untouched = {"duration", "location", "updated_at"}
    assert {k: v for k, v in after.items() if k not in untouched} == {
        k: v for k, v in created.items() if k not in untouched
    }
    v4 = await _v4(client, side_a, f"/v4/meeting-type/{_uuid(created)}")
    assert (v4["meetingInfo"]["duration"], v4["meetingInfo"]["channel"]) == (30, "phone")
    assert await _audit(settings, "meeting_type.update", _uuid(created)) == 1

    # the type's own schedule changes in place
    own = v4["availabilityId"]
    days = await client.patch(url, json={"available_days": ["friday"]}, headers=headers)
    assert days.status_code == 200, days.text
    settings_after = days.json()["data"]["scheduling_settings"]
    assert settings_after["available_days"] == ["friday"]
    assert days.json()["data"]["timezone"] == "America/New_York"
    assert (await _v4(client, side_a, f"/v4/meeting-type/{_uuid(created)}"))[
        "availabilityId"
    ] == own
    # a change to the schedule alone is recorded against the event type too
    assert await _audit(settings, "meeting_type.update", _uuid(created)) == 2


async def test_a_zone_for_a_type_on_the_users_hours_leaves_those_hours_alone(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await _writer(settings, side_a)
    plain = await _create(client, headers, name="On my hours", duration=30)
    before = await _v4(client, side_a, f"/v4/meeting-type/{_uuid(plain)}")
    shared = await _v4(client, side_a, f"/v4/availability/{before['availabilityId']}")
    assert plain["timezone"] == shared["timezone"]
    zoned = await client.patch(
        f"/api/v1/event_types/{plain['uuid']}", json={"timezone": "Asia/Tokyo"}, headers=headers
    )
    assert zoned.status_code == 200, zoned.text
    assert zoned.json()["data"]["timezone"] == "Asia/Tokyo"
    assert (
        zoned.json()["data"]["scheduling_settings"]["available_days"]
        == plain["scheduling_settings"]["available_days"]
    )
    after = await _v4(client, side_a, f"/v4/meeting-type/{_uuid(plain)}")
    assert after["availabilityId"] != before["availabilityId"]
    again = await _v4(client, side_a, f"/v4/availability/{before['availabilityId']}")
    assert again["timezone"] == shared["timezone"]
    assert again["schedule"] == shared["schedule"]


async def test_an_inactive_type_takes_no_bookings(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await _writer(settings, side_a)
    created = await _create(client, headers, name="Pausable", duration=30, timezone="Europe/Berlin")
    url = f"/api/v1/event_types/{created['id']}"
    paused = await client.patch(url, json={"is_active": False}, headers=headers)
    assert paused.status_code == 200, paused.text
    assert paused.json()["data"]["is_active"] is False
    inactive = await client.get("/api/v1/event_types?active=false&limit=100", headers=headers)
    assert created["uuid"] in {t["uuid"] for t in inactive.json()["data"]}

    def booking(hour: int) -> dict[str, Any]:
        return {
            "event_type_id": created["id"],
            "attendee_email": "pat@example.com",
            "attendee_name": "Pat Doe",
            "start_time": at(hour, day=monday(1)).isoformat(),
        }

    refused = await client.post("/api/v1/events", json=booking(10), headers=headers)
    envelope(refused, 409, "meeting_type_disabled")
    resumed = await client.patch(url, json={"is_active": True}, headers=headers)
    assert resumed.status_code == 200, resumed.text
    booked = await client.post("/api/v1/events", json=booking(10), headers=headers)
    assert booked.status_code == 201, booked.text


async def test_a_deleted_type_is_gone(client: Client, settings: Settings, side_a: Side) -> None:
    headers = await _writer(settings, side_a)
    created = await _create(client, headers, name="Short lived", duration=15)
    url = f"/api/v1/event_types/{created['uuid']}"
    deleted = await client.delete(url, headers=headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"message": "Event type deleted successfully"}
    envelope(await client.get(url, headers=headers), 404, "not_found")
    envelope(await client.delete(url, headers=headers), 404, "not_found")
    listed = await client.get("/api/v1/event_types?limit=100", headers=headers)
    assert created["uuid"] not in {t["uuid"] for t in listed.json()["data"]}
    gone = await client.get(
        f"/v4/meeting-type/{_uuid(created)}", headers=side_a.tenant.headers(side_a.member_id)
    )
    assert gone.status_code == 404
    assert await _audit(settings, "meeting_type.delete", _uuid(created)) == 1


async def test_bad_bodies_are_422_naming_the_sheets_fields(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await _writer(settings, side_a)
    before = await client.get("/api/v1/event_types?limit=100", headers=headers)

    async def refused(body: dict[str, Any], method: str = "POST", url: str = "") -> set[str]:
        response = await client.request(
            method, url or "/api/v1/event_types", json=body, headers=headers
        )
        details = envelope(response, 422, "validation_error")["details"]
        return {detail["field"] for detail in details}

    assert await refused({"name": "Tiny", "duration": 5}) == {"duration"}
    assert await refused({"name": "Huge", "duration": 481}) == {"duration"}
    assert await refused({"duration": 30}) == {"name"}
    assert "surprise" in await refused({"name": "X", "duration": 30, "surprise": 1})
    assert await refused({"name": "X", "duration": 30, "color": "purple"}) == {"color"}
    assert await refused({"name": "X", "duration": 30, "location": "mars"}) == {"location"}
    # rules /v4 applies, named as the client sent them
    assert await refused({"name": "X", "duration": 30, "timezone": "Mars/Olympus"}) == {"timezone"}
    assert await refused({"name": "X", "duration": 30, "price": "10.00"}) == {"currency"}
    after = await client.get("/api/v1/event_types?limit=100", headers=headers)
    assert after.json()["pagination"]["total"] == before.json()["pagination"]["total"]

    created = await _create(client, headers, name="Fixed", duration=30)
    url = f"/api/v1/event_types/{created['id']}"
    assert await refused({"duration": 481}, "PATCH", url) == {"duration"}
    assert await refused({"is_active": "yes"}, "PATCH", url) == {"is_active"}
    assert await refused({"timezone": "Mars/Olympus"}, "PATCH", url) == {"timezone"}
    assert await refused({"price": "10.00"}, "PATCH", url) == {"currency"}
    unchanged = await client.get(url, headers=headers)
    assert unchanged.json()["data"] == created


async def test_writing_needs_the_write_scope(
    client: Client, settings: Settings, side_a: Side
) -> None:
    writer = await _writer(settings, side_a)
    created = await _create(client, writer, name="Guarded", duration=30)
    reader = await bearer(settings, side_a, "event_types:read")
    url = f"/api/v1/event_types/{created['id']}"
    for response in (
        await client.post("/api/v1/event_types", json=STRATEGY_SESSION, headers=reader),
        await client.patch(url, json={"duration": 45}, headers=reader),
        await client.delete(url, headers=reader),
    ):
        body = envelope(response, 403, "forbidden")
        assert body["message"] == "Missing scope: event_types:write"
    assert (await client.get(url, headers=reader)).json()["data"] == created


async def test_another_companys_event_type_is_not_found(
    client: Client, settings: Settings, side_a: Side, side_b: Side
) -> None:
    headers = await _writer(settings, side_a)
    theirs = uuid.UUID(side_b.ids["meeting_type_id"])
    (row,) = await fetch(settings, "SELECT number FROM meeting_type WHERE id = $1", theirs)
    before = await _v4(client, side_b, f"/v4/meeting-type/{theirs}")
    for ref in (str(row["number"]), f"et_{theirs.hex}", str(theirs)):
        url = f"/api/v1/event_types/{ref}"
        envelope(await client.patch(url, json={"duration": 45}, headers=headers), 404, "not_found")
        envelope(await client.delete(url, headers=headers), 404, "not_found")
    assert await _v4(client, side_b, f"/v4/meeting-type/{theirs}") == before
