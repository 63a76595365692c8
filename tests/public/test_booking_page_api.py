"""The public JSON behind a booking URL: its slots and booking on it, without credentials."""

from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.bookings import at, fetch, make_type, monday, utc
from tests.support.factories import Side, attendee_body, make_webhook
from tests.support.idempotency import assert_stored_sealed

Client = AsyncTestClient[Litestar]


def page_path(meeting_type: dict[str, Any]) -> str:
    """`/v4/public/booking-page/{userSlug}/{typeSlug}` of a meeting type's booking URL."""
    return "/v4/public/booking-page" + urlsplit(meeting_type["bookingUrl"]).path


def week() -> str:
    first = monday()
    return f"start={first.isoformat()}&end={first.isoformat()}&timezone=Europe/Berlin"


def public_booking(start: Any, **extra: Any) -> dict[str, Any]:
    return {"start": start.isoformat(), "attendee": attendee_body()} | extra


async def test_slots_are_the_authenticated_answer(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    public = await client.get(f"{page_path(meeting_type)}/slots?{week()}")
    api = await client.get(
        f"/v4/booking-availability?meetingTypeId={meeting_type['id']}&{week()}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert public.status_code == 200, public.text
    assert public.json() == api.json()
    first = public.json()["dates"][0]["spots"][0]["startTime"]
    assert first == at(9).isoformat()


async def test_unknown_and_disabled_pages_are_404(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    unknown = await client.get("/v4/public/booking-page/nobody-here/nothing/slots?" + week())
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "Booking page not found"
    await client.patch(
        f"/v4/meeting-type/{meeting_type['id']}",
        json={"enabled": False},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    for response in (
        await client.get(f"{page_path(meeting_type)}/slots?{week()}"),
        await client.post(f"{page_path(meeting_type)}/book", json=public_booking(at(10))),
    ):
        assert response.status_code == 404, response.text


async def test_slot_parameters_are_checked(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    response = await client.get(f"{page_path(meeting_type)}/slots?start=2030-13-01&timezone=X/Y")
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"start", "end"}


async def test_booking_creates_the_appointment_and_its_event(
    client: Client, side_a: Side, settings: Settings
) -> None:
    await make_webhook(settings, side_a.tenant, event_types=("booking_created",))
    meeting_type = await make_type(client, side_a)
    response = await client.post(f"{page_path(meeting_type)}/book", json=public_booking(at(10)))
    assert response.status_code == 201, response.text
    created = response.json()
    assert set(created) == {"appointmentId", "manageUrl"}
    appointment = await client.get(
        f"/v4/appointment/{created['appointmentId']}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert appointment.json()["start"] == utc(at(10))
    assert appointment.json()["attendees"][0]["email"] == "ada@example.test"
    events = await fetch(
        settings,
        "SELECT payload FROM webhook_event WHERE company_id = $1 AND type = 'booking_created'",
        side_a.tenant.company_id,
    )
    assert len(events) == 1
    assert created["appointmentId"] in events[0]["payload"].decode()


async def test_the_manage_link_carries_a_working_secret(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    created = (
        await client.post(f"{page_path(meeting_type)}/book", json=public_booking(at(11)))
    ).json()
    link = urlsplit(created["manageUrl"])
    assert link.path == f"/my/{created['appointmentId']}"
    assert link.query == ""
    cancel = await client.post(
        f"/v4/public/appointment/{created['appointmentId']}/cancel",
        json={"secret": link.fragment, "reason": "Cannot make it"},
    )
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["status"] == "cancelled"


async def test_a_taken_slot_is_409_and_books_nothing(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a)
    path = f"{page_path(meeting_type)}/book"
    assert (await client.post(path, json=public_booking(at(12)))).status_code == 201
    second = await client.post(
        path, json=public_booking(at(12), attendee=attendee_body("b@x.test"))
    )
    assert second.status_code == 409
    assert second.json()["message"] == "Slot no longer available"
    rows = await fetch(
        settings,
        "SELECT count(*) AS n FROM appointment WHERE meeting_type_id = $1",
        meeting_type["id"],
    )
    assert rows[0]["n"] == 1


async def test_a_double_click_books_once(client: Client, side_a: Side, settings: Settings) -> None:
    meeting_type = await make_type(client, side_a)
    path = f"{page_path(meeting_type)}/book"
    headers = {"Idempotency-Key": "double-click-1"}
    first = await client.post(path, json=public_booking(at(13)), headers=headers)
    again = await client.post(path, json=public_booking(at(13)), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    rows = await fetch(
        settings,
        "SELECT count(*) AS n FROM appointment WHERE meeting_type_id = $1",
        meeting_type["id"],
    )
    assert rows[0]["n"] == 1
    secret = first.json()["manageUrl"].split("#")[1]
    await assert_stored_sealed(settings, "double-click-1", first.content, secret)


async def test_the_honeypot_turns_bots_away(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a)
    response = await client.post(
        f"{page_path(meeting_type)}/book", json=public_booking(at(14), website="https://spam.test")
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "website", "message": "Must be empty"}]
    rows = await fetch(
        settings,
        "SELECT count(*) AS n FROM appointment WHERE meeting_type_id = $1",
        meeting_type["id"],
    )
    assert rows[0]["n"] == 0


async def test_unlisted_starts_and_bad_bodies_are_refused(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    path = f"{page_path(meeting_type)}/book"
    night = await client.post(path, json=public_booking(at(3)))
    assert night.status_code == 409
    unknown = await client.post(path, json=public_booking(at(9), ignoreAvailability=True))
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "ignoreAvailability"


async def test_host_confirmation_types_hold_the_slot(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a, meetingOptions={"requireHostConfirmation": True})
    response = await client.post(f"{page_path(meeting_type)}/book", json=public_booking(at(15)))
    assert response.status_code == 201, response.text
    assert response.json()["bookingType"] == "hostConfirmation"
    slots = (await client.get(f"{page_path(meeting_type)}/slots?{week()}")).json()
    starts = [spot["startTime"] for day in slots["dates"] for spot in day["spots"]]
    assert at(15).isoformat() not in starts


async def test_double_opt_in_types_hold_the_slot_without_a_manage_link(
    client: Client, side_a: Side
) -> None:
    meeting_type = await make_type(client, side_a, meetingOptions={"doubleOptIn": True})
    response = await client.post(f"{page_path(meeting_type)}/book", json=public_booking(at(15)))
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"bookingType", "provisionalBookingId"}
    assert response.json()["bookingType"] == "doubleOptIn"
    slots = (await client.get(f"{page_path(meeting_type)}/slots?{week()}")).json()
    starts = [spot["startTime"] for day in slots["dates"] for spot in day["spots"]]
    assert at(15).isoformat() not in starts


async def test_the_manage_link_reads_its_booking_until_cancelled(
    client: Client, side_a: Side
) -> None:
    meeting_type = await make_type(client, side_a)
    created = (
        await client.post(f"{page_path(meeting_type)}/book", json=public_booking(at(16)))
    ).json()
    secret = urlsplit(created["manageUrl"]).fragment
    path = f"/v4/public/appointment/{created['appointmentId']}"
    found = await client.get(path, headers={"x-appointment-secret": secret})
    assert found.status_code == 200, found.text
    booking = found.json()
    assert booking["title"] == "Consult"
    assert booking["bookingUrl"] == meeting_type["bookingUrl"]
    assert booking["appointment"]["start"] == utc(at(16))
    assert "secret" not in found.text.lower().replace("x-appointment-secret", "")
    for headers in ({}, {"x-appointment-secret": "wrong"}):
        assert (await client.get(path, headers=headers)).status_code == 404
    await client.post(f"{path}/cancel", json={"secret": secret})
    gone = await client.get(path, headers={"x-appointment-secret": secret})
    assert gone.status_code == 404


async def test_the_manage_link_brings_the_look_of_its_hosts_pages(
    client: Client, side_a: Side, side_b: Side
) -> None:
    meeting_type = await make_type(client, side_a)
    created = (
        await client.post(f"{page_path(meeting_type)}/book", json=public_booking(at(11)))
    ).json()
    path = f"/v4/public/appointment/{created['appointmentId']}"
    secret = {"x-appointment-secret": urlsplit(created["manageUrl"]).fragment}

    async def look() -> dict[str, Any]:
        found = await client.get(path, headers=secret)
        assert found.status_code == 200, found.text
        seen: dict[str, Any] = found.json()["look"]
        return seen

    assert await look() == {
        "displayName": None,
        "logoUrl": None,
        "colors": {},
        "hidePoweredBy": False,
        "privacyPolicyUrl": None,
    }
    branding = {
        "displayName": "Northwind Health",
        "primaryColor": "#0F766E",
        "hidePoweredBy": True,
        "privacyPolicyUrl": "https://northwind.example/privacy",
    }
    other = {"displayName": "Bravo Brand", "primaryColor": "#000000"}
    for side, body in ((side_a, branding), (side_b, other)):
        response = await client.patch(
            "/v4/company/branding", json=body, headers=side.tenant.headers()
        )
        assert response.status_code == 200, response.text
    assert await look() == {
        "displayName": "Northwind Health",
        "logoUrl": None,
        "colors": {"--brand": "#0F766E", "--brand-text": "#ffffff"},
        "hidePoweredBy": True,
        "privacyPolicyUrl": "https://northwind.example/privacy",
    }
    own = {"useCustomColors": True, "primaryColor": "#FDE68A"}
    response = await client.patch(
        "/v4/personal-page/me", json=own, headers=side_a.tenant.headers(side_a.member_id)
    )
    assert response.status_code == 200, response.text
    assert (await look())["colors"] == {"--brand": "#FDE68A", "--brand-text": "#111827"}


async def test_the_invitee_gets_the_appointments_calendar_file(
    client: Client, side_a: Side
) -> None:
    meeting_type = await make_type(client, side_a, spots=3)
    path = f"{page_path(meeting_type)}/book"
    first = (await client.post(path, json=public_booking(at(9)))).json()
    other = public_booking(at(9), attendee=attendee_body("grace@example.test"))
    second = (await client.post(path, json=other)).json()
    assert second["appointmentId"] == first["appointmentId"], "both joined one group"
    secret = urlsplit(second["manageUrl"]).fragment
    ics_path = f"/v4/public/appointment/{second['appointmentId']}/ics"
    found = await client.get(ics_path, headers={"x-appointment-secret": secret})
    assert found.status_code == 200, found.text
    assert found.headers["content-type"].startswith("text/calendar")
    text = found.text.replace("\r\n ", "")  # unfold RFC 5545 continuation lines
    assert f"UID:{second['appointmentId']}@slotwise" in text
    assert "grace@example.test" in text
    assert "ada@example.test" not in text, "other people in the group stay private"
    wrong = await client.get(ics_path, headers={"x-appointment-secret": "nope"})
    assert wrong.status_code == 404


async def test_the_slot_window_is_required(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    missing = await client.get(f"{page_path(meeting_type)}/slots?start=2030-01-07")
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["end"]
