"""The host's mailed Confirm / Decline links: a page that changes nothing when opened, a POST
that works once, only while the request waits."""

import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.bookings import at, book, fetch, make_type
from tests.support.factories import Side, make_webhook

Client = AsyncTestClient[Litestar]


async def request_token(settings: Settings, request_id: str) -> str:
    """The token the host's mail carries (it waits in the queued mail until sent)."""
    rows = await fetch(
        settings,
        "SELECT context->>'secret' AS token FROM notification "
        "WHERE appointment_id = $1 AND kind = 'host_confirmation_requested'",
        uuid.UUID(request_id),
    )
    assert len(rows) == 1
    token: str = rows[0]["token"]
    return token


async def requested(client: Client, side: Side, settings: Settings) -> tuple[str, str]:
    meeting_type = await make_type(client, side, meetingOptions={"requireHostConfirmation": True})
    created = await book(client, side, meeting_type, at(10))
    request_id: str = created["provisionalBookingId"]
    return request_id, await request_token(settings, request_id)


async def kinds(client: Client, side: Side, appointment_id: str) -> list[str]:
    response = await client.get(
        f"/v4/appointment/{appointment_id}/notifications",
        headers=side.tenant.headers(side.member_id),
    )
    assert response.status_code == 200, response.text
    return sorted(n["kind"] for n in response.json()["notifications"])


async def test_the_page_shows_and_the_post_confirms_once(
    client: Client, side_a: Side, settings: Settings
) -> None:
    events = ("booking_requested", "booking_confirmed")
    await make_webhook(settings, side_a.tenant, event_types=events)
    request_id, token = await requested(client, side_a, settings)
    page = await client.get(f"/rq/{request_id}?action=confirm")
    assert page.status_code == 200
    assert "Confirm" in page.text
    assert token not in page.text
    api = f"/v4/public/booking-request/{request_id}"
    for _ in range(2):  # looking (a mail scanner, a second look) changes nothing
        seen = await client.get(api, headers={"x-appointment-secret": token})
        assert seen.status_code == 200, seen.text
    assert seen.json()["attendees"] == ["Ada Lovelace"]
    assert (await client.get(api, headers={"x-appointment-secret": "nope"})).status_code == 404
    wrong = await client.post(f"{api}/confirm", json={"secret": "nope"})
    assert wrong.status_code == 404
    confirmed = await client.post(f"{api}/confirm", json={"secret": token})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"id": request_id, "status": "confirmed"}
    again = await client.post(f"{api}/decline", json={"secret": token})
    assert again.status_code == 404
    appointment = await client.get(
        f"/v4/appointment/{request_id}", headers=side_a.tenant.headers(side_a.member_id)
    )
    assert appointment.json()["status"] == "confirmed"
    assert "booking_confirmed" in await kinds(client, side_a, request_id)
    # the secrets of the mails' links never reach a webhook
    invitee = await fetch(
        settings,
        "SELECT context->>'secret' AS secret FROM notification "
        "WHERE appointment_id = $1 AND kind = 'booking_confirmed'",
        uuid.UUID(request_id),
    )
    payloads = [
        bytes(row["payload"]).decode()
        for row in await fetch(settings, "SELECT payload FROM webhook_event")
    ]
    assert any('"booking_confirmed"' in payload for payload in payloads)
    for payload in payloads:
        assert "secret" not in payload.lower()
        assert token not in payload
    assert invitee[0]["secret"], "the invitee's mail has its manage link's secret"
    assert all(invitee[0]["secret"] not in payload for payload in payloads)


async def test_declining_with_a_reason_tells_the_attendee(
    client: Client, side_a: Side, settings: Settings
) -> None:
    request_id, token = await requested(client, side_a, settings)
    api = f"/v4/public/booking-request/{request_id}"
    declined = await client.post(f"{api}/decline", json={"secret": token, "reason": "Away"})
    assert declined.status_code == 200, declined.text
    assert (await client.post(f"{api}/confirm", json={"secret": token})).status_code == 404
    # a declined request is no appointment: its mails are read from the table
    found = await fetch(
        settings,
        "SELECT kind::text AS kind FROM notification WHERE appointment_id = $1 ORDER BY kind",
        uuid.UUID(request_id),
    )
    assert [row["kind"] for row in found] == [
        "booking_declined",
        "booking_requested",
        "host_confirmation_requested",
    ]
    rows = await fetch(
        settings,
        "SELECT context->>'reason' AS reason FROM notification "
        "WHERE appointment_id = $1 AND kind = 'booking_declined'",
        uuid.UUID(request_id),
    )
    assert rows[0]["reason"] == "Away"
