"""Deleting a host: future bookings are cancelled, or move to `targetUserId`."""

import uuid

from httpx import Response

from slotwise.settings import Settings
from tests.support.bookings import Client, Recorder, at, book, execute, fetch, make_type
from tests.support.factories import Side


async def _hand_over(client: Client, side: Side) -> Response:
    """The owner deletes the member, handing their bookings to the admin."""
    return await client.request(
        "DELETE",
        f"/v4/user/{side.member_id}",
        json={"targetUserId": str(side.admin_id)},
        headers=side.tenant.headers(),
    )


async def test_without_target_future_bookings_are_cancelled(
    client: Client, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a)
    confirmed = await book(client, side_a, mt, at(10))
    response = await client.delete(f"/v4/user/{side_a.member_id}", headers=side_a.tenant.headers())
    assert response.status_code == 200, response.text
    cancelled = {p["id"] for name, p in emitted.calls if name == "booking_cancelled"}
    declined = {p["id"] for name, p in emitted.calls if name == "booking_declined"}
    assert cancelled == {confirmed["appointmentId"], str(side_a.appointment_id)}
    assert declined == {str(side_a.provisional_booking_id)}
    assert emitted.last("booking_cancelled")["cancel"]["actionSource"] == "admin"


async def test_with_target_future_bookings_move(
    client: Client, settings: Settings, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a)
    confirmed = await book(client, side_a, mt, at(10))
    response = await _hand_over(client, side_a)
    assert response.status_code == 200, response.text
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    moved = await client.get(f"/v4/appointment/{confirmed['appointmentId']}", headers=admin)
    assert moved.status_code == 200
    assert moved.json()["hostIds"] == [str(side_a.admin_id)]
    assert moved.json()["status"] == "confirmed"
    reassigned = {p["id"]: p for name, p in emitted.calls if name == "booking_reassigned"}
    assert set(reassigned) == {
        confirmed["appointmentId"],
        str(side_a.appointment_id),
        str(side_a.provisional_booking_id),
    }
    assert reassigned[confirmed["appointmentId"]]["previousHostIds"] == [str(side_a.member_id)]
    [row] = await fetch(
        settings,
        "SELECT ics_sequence FROM appointment WHERE id = $1",
        uuid.UUID(confirmed["appointmentId"]),
    )
    assert row["ics_sequence"] == 1
    # the new host's calendar is blocked at that time
    admins_type = await make_type(client, side_a, user_id=side_a.admin_id)
    await book(client, side_a, admins_type, at(10), expect=409)


async def test_target_with_a_clashing_booking_is_409(
    client: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a)
    await book(client, side_a, mt, at(10))
    admins_type = await make_type(client, side_a, user_id=side_a.admin_id)
    clash = await book(client, side_a, admins_type, at(10))
    response = await _hand_over(client, side_a)
    assert response.status_code == 409, response.text
    assert response.json()["conflictingAppointmentIds"] == [clash["appointmentId"]]
    rows = await fetch(settings, 'SELECT id FROM "user" WHERE id = $1', side_a.member_id)
    assert len(rows) == 1


async def test_handover_keeps_the_bookings_of_deleted_meeting_types(
    client: Client, settings: Settings, side_a: Side
) -> None:
    """A future booking of a meeting type the host had deleted moves with the type, and the
    deletion removes neither."""
    mt = await make_type(client, side_a)
    booked = await book(client, side_a, mt, at(10))
    removed = await client.delete(
        f"/v4/meeting-type/{mt['id']}", headers=side_a.tenant.headers(side_a.member_id)
    )
    assert removed.status_code == 200, removed.text
    response = await _hand_over(client, side_a)
    assert response.status_code == 200, response.text
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    moved = await client.get(f"/v4/appointment/{booked['appointmentId']}", headers=admin)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["hostIds"], moved.json()["status"]) == (
        [str(side_a.admin_id)],
        "confirmed",
    )
    [row] = await fetch(
        settings, "SELECT user_id FROM meeting_type WHERE id = $1", uuid.UUID(mt["id"])
    )
    assert row["user_id"] == side_a.admin_id


async def test_a_deleted_user_keeps_its_history_and_loses_its_credentials(
    client: Client, settings: Settings, side_a: Side
) -> None:
    key = side_a.tenant.headers()
    member = (await client.get(f"/v4/user/{side_a.member_id}", headers=key)).json()
    mt = await make_type(client, side_a)
    past = await book(client, side_a, mt, at(10))
    await execute(
        settings,
        "UPDATE appointment SET start_at = start_at - interval '28 days',"
        " end_at = end_at - interval '28 days' WHERE id = $1",
        uuid.UUID(past["appointmentId"]),
    )
    page = f"/v4/public/booking-page/{member['slug']}/{mt['slug']}"
    assert (await client.get(page)).status_code == 200
    scheduling = {"authorization": f"Bearer {side_a.scheduling_pat.token}"}
    assert (await client.get("/v4/meeting-type", headers=scheduling)).status_code == 200

    deleted = await client.delete(f"/v4/user/{side_a.member_id}", headers=key)
    assert (deleted.status_code, deleted.json()) == (200, {"message": "User deleted successfully"})

    # history stays readable to admins and platform keys, and to the invitee's link
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    for headers in (admin, key | {"x-meetergo-api-user-id": str(side_a.admin_id)}):
        kept = await client.get(f"/v4/appointment/{past['appointmentId']}", headers=headers)
        assert kept.status_code == 200, kept.text
        assert (kept.json()["status"], kept.json()["hostIds"]) == (
            "confirmed",
            [str(side_a.member_id)],
        )
        cancelled = await client.get(f"/v4/appointment/{side_a.appointment_id}", headers=headers)
        assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    listed = await client.get(f"/v4/appointment/paginated?userId={side_a.member_id}", headers=admin)
    assert listed.status_code == 200, listed.text
    invitee = await client.get(
        f"/v4/public/appointment/{past['appointmentId']}",
        headers={"x-appointment-secret": past["secret"]},
    )
    assert invitee.status_code == 200, invitee.text

    # the user itself is gone: its credentials, its routes, its booking URLs
    assert (await client.get("/v4/meeting-type", headers=scheduling)).status_code == 401
    as_member = side_a.tenant.headers(side_a.member_id)
    named = await client.get("/v4/meeting-type", headers=as_member)
    assert (named.status_code, named.json()["message"]) == (404, "User not found")
    assert (await client.get(f"/v4/user/{side_a.member_id}", headers=key)).status_code == 404
    assert (await client.delete(f"/v4/user/{side_a.member_id}", headers=key)).status_code == 404
    everyone = (await client.get("/v4/user", headers=key)).json()
    assert str(side_a.member_id) not in {u["id"] for u in everyone["users"]}
    assert everyone["total"] == 2
    assert (await client.get(page)).status_code == 404
    as_admin = side_a.tenant.headers(side_a.admin_id)
    for_them = await client.post(
        "/v4/meeting-type",
        json={
            "meetingInfo": {"name": "Consult", "duration": 30, "channel": "zoom"},
            "userId": str(side_a.member_id),
        },
        headers=as_admin,
    )
    assert (for_them.status_code, for_them.json()["message"]) == (404, "User not found")

    # its email and slug are free for a new user
    again = await client.post(
        "/v4/user",
        json={
            "email": member["email"].upper(),
            "givenName": "New",
            "familyName": "Comer",
            "timezone": "UTC",
            "slug": member["slug"],
        },
        headers=key,
    )
    assert again.status_code == 201, again.text
    assert again.json()["bookingUrl"].split("/")[-2] == member["slug"]
