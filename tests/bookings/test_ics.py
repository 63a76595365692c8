"""GET /v4/appointment/{id}/ics: RFC 5545, stable UID, SEQUENCE per change, METHOD:CANCEL."""

from datetime import UTC
from typing import Any

from icalendar import Calendar

from tests.support.bookings import Client, at, book, make_type
from tests.support.factories import Side, attendee_body


async def fetch_ics(client: Client, side: Side, appointment_id: str) -> tuple[Any, Any]:
    response = await client.get(
        f"/v4/appointment/{appointment_id}/ics", headers=side.tenant.headers(side.member_id)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


async def test_uid_stays_and_sequence_grows_until_cancel(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, meetingInfo={"name": "Kickoff", "description": "Agenda"})
    created = await book(client, side_a, mt, at(10), location="Room 4")
    appointment_id = created["appointmentId"]
    calendar, event = await fetch_ics(client, side_a, appointment_id)
    uid = str(event["UID"])
    assert uid == f"{appointment_id}@slotwise"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert (str(calendar["VERSION"]), str(calendar["PRODID"])) == (
        "2.0",
        "-//slotwise//bookings//EN",
    )
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == at(10).astimezone(UTC)
    assert event.decoded("DTEND") == at(10, 30).astimezone(UTC)
    assert (str(event["SUMMARY"]), str(event["DESCRIPTION"])) == ("Kickoff", "Agenda")
    assert str(event["LOCATION"]) == "Room 4"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert str(event["ATTENDEE"]) == "mailto:ada@example.test"
    assert event["ATTENDEE"].params["CN"] == "Ada Lovelace"
    headers = side_a.tenant.headers(side_a.member_id)
    url = f"/v4/appointment/{appointment_id}"
    for n, hour in enumerate((11, 12), start=1):
        response = await client.post(
            f"{url}/reschedule", json={"start": at(hour).isoformat()}, headers=headers
        )
        assert response.status_code == 200
        _, moved = await fetch_ics(client, side_a, appointment_id)
        assert str(moved["UID"]) == uid
        assert int(moved["SEQUENCE"]) == n
        assert moved.decoded("DTSTART") == at(hour).astimezone(UTC)
    assert (await client.post(f"{url}/cancel", json={}, headers=headers)).status_code == 200
    cancelled_calendar, cancelled = await fetch_ics(client, side_a, appointment_id)
    assert str(cancelled_calendar["METHOD"]) == "CANCEL"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == uid
    assert int(cancelled["SEQUENCE"]) == 3


async def test_group_lists_present_attendees(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, spots=3)
    created = await book(client, side_a, mt, at(10))
    await book(client, side_a, mt, at(10), attendee=attendee_body("b@example.test"))
    _, event = await fetch_ics(client, side_a, created["appointmentId"])
    attendees = event["ATTENDEE"]
    assert sorted(str(a) for a in attendees) == [
        "mailto:ada@example.test",
        "mailto:b@example.test",
    ]


async def test_sequence_grows_when_an_attendee_joins_a_group(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, spots=3)
    appointment_id = (await book(client, side_a, mt, at(10)))["appointmentId"]
    _, alone = await fetch_ics(client, side_a, appointment_id)
    await book(client, side_a, mt, at(10), attendee=attendee_body("b@example.test"))
    _, joined = await fetch_ics(client, side_a, appointment_id)
    assert len(joined["ATTENDEE"]) == 2
    assert int(joined["SEQUENCE"]) == int(alone["SEQUENCE"]) + 1


async def test_sequence_grows_when_an_attendee_leaves_a_group(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, spots=3)
    appointment_id = (await book(client, side_a, mt, at(10)))["appointmentId"]
    await book(client, side_a, mt, at(10), attendee=attendee_body("b@example.test"))
    _, before = await fetch_ics(client, side_a, appointment_id)
    headers = side_a.tenant.headers(side_a.member_id)
    url = f"/v4/appointment/{appointment_id}"
    attendees = (await client.get(url, headers=headers)).json()["attendees"]
    leaving = next(a["id"] for a in attendees if a["email"] == "b@example.test")
    left = await client.post(f"{url}/cancel", json={"attendeeId": leaving}, headers=headers)
    assert left.status_code == 200, left.text
    _, after = await fetch_ics(client, side_a, appointment_id)
    assert str(after["ATTENDEE"]) == "mailto:ada@example.test"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


async def test_sequence_grows_when_a_held_booking_is_confirmed(
    client: Client, side_a: Side
) -> None:
    mt = await make_type(client, side_a, meetingOptions={"requireHostConfirmation": True})
    booking_id = (await book(client, side_a, mt, at(10)))["provisionalBookingId"]
    _, held = await fetch_ics(client, side_a, booking_id)
    assert (str(held["STATUS"]), int(held["SEQUENCE"])) == ("TENTATIVE", 0)
    headers = side_a.tenant.headers(side_a.member_id)
    confirmed = await client.post(f"/v4/provisional-booking/{booking_id}/confirm", headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    _, event = await fetch_ics(client, side_a, booking_id)
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CONFIRMED", 1)
