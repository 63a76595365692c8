"""Deleting a host: future bookings are cancelled, or move to `targetUserId`."""

import uuid

from slotwise.settings import Settings
from tests.support.bookings import Client, Recorder, at, book, fetch, make_type
from tests.support.factories import Side


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
    response = await client.request(
        "DELETE",
        f"/v4/user/{side_a.member_id}",
        json={"targetUserId": str(side_a.admin_id)},
        headers=side_a.tenant.headers(),
    )
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
    response = await client.request(
        "DELETE",
        f"/v4/user/{side_a.member_id}",
        json={"targetUserId": str(side_a.admin_id)},
        headers=side_a.tenant.headers(),
    )
    assert response.status_code == 409, response.text
    assert response.json()["conflictingAppointmentIds"] == [clash["appointmentId"]]
    rows = await fetch(settings, 'SELECT id FROM "user" WHERE id = $1', side_a.member_id)
    assert len(rows) == 1
