"""Invitees act with the appointment secret and no credentials; reads never show the secret."""

import uuid
from typing import Any

from tests.support.bookings import Client, Recorder, at, book, make_type, utc
from tests.support.factories import Side, attendee_body


async def test_secret_is_never_read_back(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a)
    created = await book(client, side_a, mt, at(10))
    secret, appointment_id = created["secret"], created["appointmentId"]
    headers = side_a.tenant.headers(side_a.member_id)
    for url in (
        f"/v4/appointment/{appointment_id}",
        f"/v4/appointment/{appointment_id}/ics",
        "/v4/appointment/paginated",
        "/v4/appointment/today",
        "/v4/appointment/current",
        "/v4/provisional-booking/paginated",
    ):
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, url
        assert secret not in response.text, url
        assert '"secret"' not in response.text, url
    listed = await client.get(
        f"/v4/appointment/paginated?meetingTypeId={mt['id']}", headers=headers
    )
    assert [a["id"] for a in listed.json()["appointments"]] == [appointment_id]


async def _public(client: Client, appointment_id: str, action: str, body: dict[str, Any]) -> Any:
    return await client.post(f"/v4/public/appointment/{appointment_id}/{action}", json=body)


async def test_invitee_reschedules_and_cancels_with_the_secret(
    client: Client, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a)
    created = await book(client, side_a, mt, at(10))
    appointment_id, secret = created["appointmentId"], created["secret"]
    unknown = await _public(client, str(uuid.uuid4()), "cancel", {"secret": secret})
    other = ("B" if secret[0] != "B" else "C") + secret[1:]
    wrong = await _public(client, appointment_id, "cancel", {"secret": other})
    assert unknown.status_code == wrong.status_code == 404
    assert unknown.json() == wrong.json()
    for body in ({}, {"secret": ""}, {"secret": None}):
        missing = await _public(client, appointment_id, "cancel", body)
        assert (missing.status_code, missing.json()) == (404, wrong.json())
    wrong_move = await _public(
        client, appointment_id, "reschedule", {"secret": "nope", "start": at(11).isoformat()}
    )
    assert wrong_move.status_code == 404
    await book(client, side_a, mt, at(14), attendee=attendee_body("other@example.test"))
    taken = await _public(
        client, appointment_id, "reschedule", {"secret": secret, "start": at(14).isoformat()}
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "slot_unavailable")
    moved = await _public(
        client, appointment_id, "reschedule", {"secret": secret, "start": at(11).isoformat()}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["start"] == utc(at(11))
    assert set(moved.json()) == {
        "id",
        "start",
        "end",
        "status",
        "isCancelled",
        "rescheduledAt",
        "meetingInfo",
        "location",
    }
    cancelled = await _public(
        client, appointment_id, "cancel", {"secret": secret, "reason": "Sorry"}
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = await _public(client, appointment_id, "cancel", {"secret": secret})
    assert again.status_code == 409
    headers = side_a.tenant.headers(side_a.member_id)
    shown = (await client.get(f"/v4/appointment/{appointment_id}", headers=headers)).json()
    assert shown["cancel"]["actionSource"] == "attendee"
    assert shown["cancel"]["actionBy"] == "ada@example.test"
    assert shown["cancel"]["reason"] == "Sorry"
    assert emitted.types[-2:] == ["booking_rescheduled", "booking_cancelled"]


async def test_group_invitee_cancels_only_themselves(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, spots=3)
    first = await book(client, side_a, mt, at(10))
    second = await book(client, side_a, mt, at(10), attendee=attendee_body("b@example.test"))
    appointment_id = first["appointmentId"]
    move = await _public(
        client,
        appointment_id,
        "reschedule",
        {"secret": second["secret"], "start": at(11).isoformat()},
    )
    assert move.status_code == 403
    left = await _public(client, appointment_id, "cancel", {"secret": second["secret"]})
    assert left.status_code == 200
    assert left.json()["status"] == "confirmed"
    headers = side_a.tenant.headers(side_a.member_id)
    shown = (await client.get(f"/v4/appointment/{appointment_id}", headers=headers)).json()
    assert [a["email"] for a in shown["attendees"]] == ["ada@example.test"]
    assert (
        await _public(client, appointment_id, "cancel", {"secret": second["secret"]})
    ).status_code == 409
    last = await _public(client, appointment_id, "cancel", {"secret": first["secret"]})
    assert last.json()["status"] == "cancelled"


async def test_secret_of_a_pending_booking_does_not_exist_yet(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, meetingOptions={"requireHostConfirmation": True})
    pending = await book(client, side_a, mt, at(10))
    booking_id = pending["provisionalBookingId"]
    headers = side_a.tenant.headers(side_a.member_id)
    confirmed = await client.post(f"/v4/provisional-booking/{booking_id}/confirm", headers=headers)
    secret = confirmed.json()["secret"]
    response = await _public(client, booking_id, "cancel", {"secret": secret})
    assert response.status_code == 200
