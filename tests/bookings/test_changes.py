"""Cancel and reschedule over HTTP, for one-on-one and group appointments."""

import uuid
from typing import Any

from slotwise.settings import Settings
from tests.support.bookings import Client, Recorder, at, book, fetch, make_type, utc
from tests.support.factories import Side, attendee_body


async def _sequence(settings: Settings, appointment_id: str) -> tuple[Any, ...]:
    [row] = await fetch(
        settings,
        "SELECT start_at, end_at, ics_sequence, reschedule_count, status::text AS status "
        "FROM appointment WHERE id = $1",
        uuid.UUID(appointment_id),
    )
    return tuple(row.values())


async def test_cancel_frees_the_slot_and_twice_is_409(
    client: Client, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a)
    created = await book(client, side_a, mt, at(10))
    url = f"/v4/appointment/{created['appointmentId']}/cancel"
    headers = side_a.tenant.headers(side_a.member_id)
    too_long = await client.post(url, json={"reason": "x" * 501}, headers=headers)
    assert too_long.status_code == 400
    assert [e["field"] for e in too_long.json()["errors"]] == ["reason"]
    response = await client.post(url, json={"reason": "Ill"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["isCancelled"]) == ("cancelled", True)
    cancel = body["cancel"]
    assert (cancel["actionSource"], cancel["actionBy"], cancel["reason"]) == (
        "host",
        str(side_a.member_id),
        "Ill",
    )
    assert cancel["actionAt"]
    again = await client.post(url, json={"reason": "Ill"}, headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    rebooked = await book(client, side_a, mt, at(10))
    assert rebooked["appointmentId"] != created["appointmentId"]
    assert emitted.types == ["booking_created", "booking_cancelled", "booking_created"]
    payload = emitted.last("booking_cancelled")
    assert payload["isCancelled"] is True
    assert payload["cancel"]["reason"] == "Ill"


async def test_delete_is_an_alias_of_cancel(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a)
    created = await book(client, side_a, mt, at(10))
    url = f"/v4/appointment/{created['appointmentId']}"
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    response = await client.delete(url, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel"]["actionSource"] == "admin"
    assert (await client.delete(url, headers=admin)).status_code == 409


async def test_idempotent_cancel_replays(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a)
    created = await book(client, side_a, mt, at(10))
    url = f"/v4/appointment/{created['appointmentId']}/cancel"
    headers = side_a.tenant.headers(side_a.member_id) | {"Idempotency-Key": "cancel-1"}
    first = await client.post(url, json={"reason": "r"}, headers=headers)
    replay = await client.post(url, json={"reason": "r"}, headers=headers)
    assert first.status_code == replay.status_code == 200
    assert replay.content == first.content
    assert replay.headers["idempotent-replayed"] == "true"


async def test_group_cancel_needs_a_choice_and_frees_one_seat(
    client: Client, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a, spots=3)
    seats = [
        await book(client, side_a, mt, at(10), attendee=attendee_body(f"p{n}@example.test"))
        for n in range(3)
    ]
    assert len({seat["appointmentId"] for seat in seats}) == 1
    assert len({seat["secret"] for seat in seats}) == 3
    await book(client, side_a, mt, at(10), expect=409)
    appointment_id = seats[0]["appointmentId"]
    url = f"/v4/appointment/{appointment_id}"
    headers = side_a.tenant.headers(side_a.member_id)
    attendees = (await client.get(url, headers=headers)).json()["attendees"]
    assert [a["email"] for a in attendees] == [f"p{n}@example.test" for n in range(3)]
    vague = await client.post(f"{url}/cancel", json={"reason": "?"}, headers=headers)
    assert vague.status_code == 400
    unknown = await client.post(
        f"{url}/cancel", json={"attendeeId": str(uuid.uuid4())}, headers=headers
    )
    assert unknown.status_code == 404
    one = await client.post(
        f"{url}/cancel", json={"attendeeId": attendees[1]["id"]}, headers=headers
    )
    assert one.status_code == 200, one.text
    assert (one.json()["status"], len(one.json()["attendees"])) == ("confirmed", 2)
    assert emitted.last("booking_cancelled")["cancelledAttendeeId"] == attendees[1]["id"]
    twice = await client.post(
        f"{url}/cancel", json={"attendeeId": attendees[1]["id"]}, headers=headers
    )
    assert twice.status_code == 409
    joined = await book(client, side_a, mt, at(10), attendee=attendee_body("p3@example.test"))
    assert joined["appointmentId"] == appointment_id
    everyone = await client.post(f"{url}/cancel", json={"cancelAll": True}, headers=headers)
    assert everyone.json()["status"] == "cancelled"
    assert len(everyone.json()["attendees"]) == 3


async def test_removing_the_last_attendee_cancels_the_group(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, spots=2)
    created = await book(client, side_a, mt, at(10))
    url = f"/v4/appointment/{created['appointmentId']}"
    headers = side_a.tenant.headers(side_a.member_id)
    [attendee] = (await client.get(url, headers=headers)).json()["attendees"]
    response = await client.post(
        f"{url}/cancel", json={"attendeeId": attendee["id"]}, headers=headers
    )
    assert response.json()["status"] == "cancelled"
    fresh = await book(client, side_a, mt, at(10))
    assert fresh["appointmentId"] != created["appointmentId"]


async def test_reschedule_moves_and_counts(
    client: Client, settings: Settings, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a, timeslotInterval=15)
    created = await book(client, side_a, mt, at(10))
    url = f"/v4/appointment/{created['appointmentId']}/reschedule"
    headers = side_a.tenant.headers(side_a.member_id)
    # 10:15 overlaps the appointment's own time, which does not count against it
    response = await client.post(url, json={"start": at(10, 15).isoformat()}, headers=headers)
    assert response.status_code == 200, response.text
    moved = response.json()["appointment"]
    assert (moved["start"], moved["end"]) == (utc(at(10, 15)), utc(at(10, 45)))
    assert (moved["rescheduleCount"], moved["rescheduledAt"] is not None) == (1, True)
    start, end, sequence, count, status = await _sequence(settings, created["appointmentId"])
    assert (start, end, sequence, count, status) == (at(10, 15), at(10, 45), 1, 1, "confirmed")
    rescheduled = emitted.last("booking_rescheduled")
    assert (rescheduled["previousStart"], rescheduled["start"]) == (utc(at(10)), utc(at(10, 15)))
    await book(client, side_a, mt, at(9, 45))  # the time it left is free again
    outside = await client.post(
        url, json={"start": at(20).isoformat(), "ignoreAvailability": True}, headers=headers
    )
    assert outside.status_code == 200
    assert (await _sequence(settings, created["appointmentId"]))[2] == 2


async def test_reschedule_into_a_taken_slot_changes_nothing(
    client: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a, meetingInfo={"bufferAfter": 15})
    created = await book(client, side_a, mt, at(10))
    await book(client, side_a, mt, at(14))
    before = await _sequence(settings, created["appointmentId"])
    url = f"/v4/appointment/{created['appointmentId']}/reschedule"
    headers = side_a.tenant.headers(side_a.member_id)
    for body in (
        {"start": at(14).isoformat()},
        {"start": at(13, 30).isoformat()},  # its buffer would touch the 14:00 meeting
        {"start": at(14).isoformat(), "ignoreAvailability": True},  # the constraint refuses
        {"start": at(21).isoformat()},  # outside hours
    ):
        response = await client.post(url, json=body, headers=headers)
        assert (response.status_code, response.json()["code"]) == (409, "slot_unavailable"), body
        assert await _sequence(settings, created["appointmentId"]) == before
    cancelled = await client.post(
        f"/v4/appointment/{created['appointmentId']}/cancel", json={}, headers=headers
    )
    assert cancelled.status_code == 200
    late = await client.post(url, json={"start": at(11).isoformat()}, headers=headers)
    assert late.status_code == 409


async def test_group_reschedule_moves_everyone(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, spots=3)
    first = await book(client, side_a, mt, at(10))
    await book(client, side_a, mt, at(10), attendee=attendee_body("b@example.test"))
    url = f"/v4/appointment/{first['appointmentId']}"
    headers = side_a.tenant.headers(side_a.member_id)
    response = await client.post(
        f"{url}/reschedule", json={"start": at(11).isoformat()}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["appointment"]["attendees"]) == 2
