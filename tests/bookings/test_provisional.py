"""Host confirmation: a pending booking holds its slot until confirmed, declined or expired."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from slotwise.settings import Settings
from tests.support.bookings import Client, Recorder, at, book, booking, execute, make_type
from tests.support.factories import Side, attendee_body

CONFIRMATION = {"meetingOptions": {"requireHostConfirmation": True}}


async def provisional(client: Client, side: Side, query: str = "") -> dict[str, Any]:
    response = await client.get(
        f"/v4/provisional-booking/paginated?{query}", headers=side.tenant.headers(side.member_id)
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_pending_holds_the_slot_then_confirm(
    client: Client, settings: Settings, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a, **CONFIRMATION)
    before = datetime.now(UTC)
    pending = await book(client, side_a, mt, at(10))
    assert set(pending) == {"bookingType", "provisionalBookingId"}
    assert pending["bookingType"] == "hostConfirmation"
    booking_id = pending["provisionalBookingId"]
    await book(client, side_a, mt, at(10), expect=409)
    await book(client, side_a, mt, at(10, 15), expect=409, ignoreAvailability=True)
    listed = await provisional(client, side_a, f"meetingTypeId={mt['id']}")
    assert listed["total"] == 1
    [item] = listed["provisionalBookings"]
    assert (item["id"], item["type"], item["status"]) == (booking_id, "hostConfirmation", "pending")
    assert item["dto"]["attendee"]["email"] == "ada@example.test"
    assert item["dto"]["meetingTypeId"] == mt["id"]
    assert item["hosts"][0]["id"] == str(side_a.member_id)
    expires = datetime.fromisoformat(item["expiresAt"])
    ttl = timedelta(minutes=settings.provisional_ttl_minutes)
    assert before + ttl - timedelta(minutes=1) < expires < datetime.now(UTC) + ttl
    headers = side_a.tenant.headers(side_a.member_id)
    shown = await client.get(f"/v4/appointment/{booking_id}", headers=headers)
    assert shown.json()["status"] == "pending"
    confirmed = await client.post(f"/v4/provisional-booking/{booking_id}/confirm", headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["appointmentId"] == booking_id
    assert len(confirmed.json()["secret"]) >= 43
    appointment = await client.get(f"/v4/appointment/{booking_id}", headers=headers)
    assert appointment.json()["status"] == "confirmed"
    assert confirmed.json()["secret"] not in appointment.text
    again = await client.post(f"/v4/provisional-booking/{booking_id}/confirm", headers=headers)
    assert again.status_code == 409
    assert (await provisional(client, side_a, "status=confirmed"))["total"] == 1
    assert (await provisional(client, side_a, f"status=pending&meetingTypeId={mt['id']}"))[
        "total"
    ] == 0
    await book(client, side_a, mt, at(10), expect=409)
    assert emitted.types == ["booking_requested", "booking_confirmed"]
    assert emitted.last("booking_requested")["status"] == "pending"
    assert emitted.last("booking_confirmed")["status"] == "confirmed"


async def test_decline_frees_the_slot(client: Client, side_a: Side, emitted: Recorder) -> None:
    mt = await make_type(client, side_a, **CONFIRMATION)
    pending = await book(client, side_a, mt, at(10))
    booking_id = pending["provisionalBookingId"]
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    declined = await client.post(f"/v4/provisional-booking/{booking_id}/decline", headers=admin)
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined_by_host"
    confirm = await client.post(f"/v4/provisional-booking/{booking_id}/confirm", headers=admin)
    assert confirm.status_code == 409
    headers = side_a.tenant.headers(side_a.member_id)
    assert (await client.get(f"/v4/appointment/{booking_id}", headers=headers)).status_code == 404
    listed = await provisional(client, side_a, "status=declined_by_host")
    assert [p["id"] for p in listed["provisionalBookings"]] == [booking_id]
    again = await book(client, side_a, mt, at(10))
    assert again["provisionalBookingId"] != booking_id
    assert emitted.types == ["booking_requested", "booking_declined", "booking_requested"]


async def test_expiry_frees_the_slot_and_confirm_is_409(
    client: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a, **CONFIRMATION)
    first = await book(client, side_a, mt, at(10))
    second = await book(client, side_a, mt, at(11))
    for item in (first, second):
        await execute(
            settings,
            "UPDATE appointment SET expires_at = now() - interval '1 minute' WHERE id = $1",
            uuid.UUID(item["provisionalBookingId"]),
        )
    expired = await provisional(client, side_a, f"status=expired&meetingTypeId={mt['id']}")
    assert expired["total"] == 2
    assert {p["status"] for p in expired["provisionalBookings"]} == {"expired"}
    # another booking may take the first slot now
    taker = await book(client, side_a, mt, at(10), attendee=attendee_body("taker@example.test"))
    assert taker["provisionalBookingId"] != first["provisionalBookingId"]
    headers = side_a.tenant.headers(side_a.member_id)
    for item in (first, second):  # taken or not, an expired booking cannot be confirmed
        url = f"/v4/provisional-booking/{item['provisionalBookingId']}/confirm"
        response = await client.post(url, headers=headers)
        assert (response.status_code, response.json()["code"]) == (409, "slot_unavailable")
        decline = f"/v4/provisional-booking/{item['provisionalBookingId']}/decline"
        declined = await client.post(decline, headers=headers)
        assert (declined.status_code, declined.json()["code"]) == (409, "conflict")


async def test_only_host_or_admin_decide(client: Client, side_a: Side) -> None:
    admins_type = await make_type(client, side_a, user_id=side_a.admin_id, **CONFIRMATION)
    pending = await book(client, side_a, admins_type, at(10))
    member = {"authorization": f"Bearer {side_a.scheduling_pat.token}"}
    url = f"/v4/provisional-booking/{pending['provisionalBookingId']}"
    for action in ("confirm", "decline"):
        assert (await client.post(f"{url}/{action}", headers=member)).status_code == 404
    listing = await client.get(
        f"/v4/provisional-booking/paginated?userId={side_a.admin_id}", headers=member
    )
    assert listing.status_code == 403
    as_admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    confirmed = await client.post(f"{url}/confirm", headers=as_admin)
    assert confirmed.status_code == 200


async def test_group_type_with_confirmation_joins_only_confirmed(
    client: Client, side_a: Side
) -> None:
    mt = await make_type(client, side_a, spots=2, **CONFIRMATION)
    pending = await book(client, side_a, mt, at(10))
    await book(client, side_a, mt, at(10), expect=409)
    headers = side_a.tenant.headers(side_a.member_id)
    url = f"/v4/provisional-booking/{pending['provisionalBookingId']}/confirm"
    assert (await client.post(url, headers=headers)).status_code == 200
    joined = await book(client, side_a, mt, at(10), attendee=attendee_body("b@example.test"))
    assert joined["appointmentId"] == pending["provisionalBookingId"]


async def test_pending_dto_is_the_request(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, **CONFIRMATION)
    body = booking(mt, at(10)) | {"location": "Room 7", "skipNotifications": True}
    response = await client.post("/v4/booking", json=body, headers=side_a.tenant.headers())
    assert response.status_code == 201
    [item] = (await provisional(client, side_a, f"meetingTypeId={mt['id']}"))["provisionalBookings"]
    dto = item["dto"]
    assert (dto["location"], dto["skipNotifications"]) == ("Room 7", True)
    assert datetime.fromisoformat(dto["start"]) == at(10)
