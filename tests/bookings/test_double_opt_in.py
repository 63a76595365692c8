"""Double opt-in: a booking waits for its attendee's confirmation (a link mailed to them) and
holds its slot until then; confirmed, it is what a direct booking would have been."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from slotwise.settings import Settings
from tests.support.bookings import Client, Recorder, at, book, execute, fetch, make_type
from tests.support.factories import Side, attendee_body

OPT_IN = {"meetingOptions": {"doubleOptIn": True}}
BOTH = {"meetingOptions": {"doubleOptIn": True, "requireHostConfirmation": True}}


async def opt_in_token(settings: Settings, booking_id: str) -> str:
    """The token of the attendee's confirm link (it waits in the queued mail until sent)."""
    rows = await fetch(
        settings,
        "SELECT recipient, context->>'secret' AS token FROM notification "
        "WHERE appointment_id = $1 AND kind = 'booking_opt_in'",
        uuid.UUID(booking_id),
    )
    assert [row["recipient"] for row in rows] == ["ada@example.test"]
    token: str = rows[0]["token"]
    return token


async def kinds(settings: Settings, booking_id: str) -> list[str]:
    rows = await fetch(
        settings,
        "SELECT kind::text AS kind FROM notification WHERE appointment_id = $1 ORDER BY kind",
        uuid.UUID(booking_id),
    )
    return [row["kind"] for row in rows]


async def provisional(client: Client, side: Side, query: str = "") -> list[dict[str, Any]]:
    response = await client.get(
        f"/v4/provisional-booking/paginated?{query}", headers=side.tenant.headers(side.member_id)
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["provisionalBookings"]
    return found


def link(booking_id: str) -> str:
    return f"/v4/public/double-opt-in/{booking_id}"


async def test_the_booking_waits_for_the_attendee_and_holds_the_slot(
    client: Client, settings: Settings, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a, **OPT_IN)
    before = datetime.now(UTC)
    pending = await book(client, side_a, mt, at(10))
    assert set(pending) == {"bookingType", "provisionalBookingId"}
    assert pending["bookingType"] == "doubleOptIn"
    booking_id = pending["provisionalBookingId"]
    await book(client, side_a, mt, at(10), expect=409)
    await book(client, side_a, mt, at(10, 15), expect=409, ignoreAvailability=True)
    [item] = await provisional(client, side_a, f"meetingTypeId={mt['id']}")
    assert (item["id"], item["type"], item["status"]) == (booking_id, "doubleOptIn", "pending")
    assert item["dto"]["attendee"]["email"] == "ada@example.test"
    ttl = timedelta(minutes=settings.provisional_ttl_minutes)
    expires = datetime.fromisoformat(item["expiresAt"])
    assert before + ttl - timedelta(minutes=1) < expires < datetime.now(UTC) + ttl
    # only the attendee hears of it, and no webhook tells of a booking nobody confirmed yet
    assert await kinds(settings, booking_id) == ["booking_opt_in"]
    assert emitted.types == []
    token = await opt_in_token(settings, booking_id)
    assert len(token) >= 43
    stored = await fetch(
        settings,
        "SELECT a.opt_in_hash, a.secret_hash, t.secret_hash AS attendee_hash "
        "FROM appointment a JOIN attendee t ON t.appointment_id = a.id WHERE a.id = $1",
        uuid.UUID(booking_id),
    )
    row = stored[0]
    assert row["opt_in_hash"]
    assert token not in row["opt_in_hash"], "stored as a digest"
    assert row["attendee_hash"] is None, "no manage link before the attendee confirms"
    headers = side_a.tenant.headers(side_a.member_id)
    shown = await client.get(f"/v4/appointment/{booking_id}", headers=headers)
    assert shown.json()["status"] == "pending"
    cancelled = await client.post(f"/v4/appointment/{booking_id}/cancel", json={}, headers=headers)
    assert cancelled.status_code == 409
    assert "attendee" in cancelled.json()["message"]


async def test_confirming_through_the_link_books_it_once(
    client: Client, settings: Settings, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a, **OPT_IN)
    booking_id = (await book(client, side_a, mt, at(11)))["provisionalBookingId"]
    token = await opt_in_token(settings, booking_id)
    for _ in range(2):  # looking (a mail scanner, a second look) changes nothing
        seen = await client.get(link(booking_id), headers={"x-appointment-secret": token})
        assert seen.status_code == 200, seen.text
    view = seen.json()
    assert (view["status"], view["title"]) == ("pending", "Consult")
    assert view["hostName"].endswith(" Member")
    assert datetime.fromisoformat(view["start"]) == at(11)
    assert view["expiresAt"] is not None
    assert set(view["look"]) >= {"colors", "displayName"}
    assert token not in seen.text
    for wrong in ({}, {"x-appointment-secret": "nope"}):
        assert (await client.get(link(booking_id), headers=wrong)).status_code == 404
    assert (await client.post(f"{link(booking_id)}/confirm", json={"secret": "x"})).status_code == (
        404
    )
    assert emitted.types == []
    confirmed = await client.post(f"{link(booking_id)}/confirm", json={"secret": token})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json() == {"id": booking_id, "status": "confirmed"}
    headers = side_a.tenant.headers(side_a.member_id)
    appointment = (await client.get(f"/v4/appointment/{booking_id}", headers=headers)).json()
    assert appointment["status"] == "confirmed"
    # what a direct booking sends: booking_created, the confirmation (with the manage link's
    # secret), the host's notice and the reminders
    assert emitted.types == ["booking_created"]
    assert emitted.last("booking_created")["status"] == "confirmed"
    assert {"booking_confirmed", "host_booking_created", "booking_reminder"} <= set(
        await kinds(settings, booking_id)
    )
    manage = await fetch(
        settings,
        "SELECT context->>'secret' AS secret FROM notification "
        "WHERE appointment_id = $1 AND kind = 'booking_confirmed'",
        uuid.UUID(booking_id),
    )
    secret = manage[0]["secret"]
    assert secret
    assert secret != token
    own = await client.get(
        f"/v4/public/appointment/{booking_id}", headers={"x-appointment-secret": secret}
    )
    assert own.status_code == 200, own.text
    # a second click answers how it stands and sends nothing more
    again = await client.post(f"{link(booking_id)}/confirm", json={"secret": token})
    assert again.status_code == 200, again.text
    assert again.json() == {"id": booking_id, "status": "confirmed"}
    assert emitted.types == ["booking_created"]
    assert (await kinds(settings, booking_id)).count("booking_confirmed") == 1
    seen = await client.get(link(booking_id), headers={"x-appointment-secret": token})
    assert (seen.json()["status"], seen.json()["expiresAt"]) == ("confirmed", None)
    [item] = await provisional(client, side_a, f"status=confirmed&meetingTypeId={mt['id']}")
    assert (item["id"], item["type"]) == (booking_id, "doubleOptIn")
    # once cancelled, the link shows nothing and confirms nothing
    await client.post(f"/v4/appointment/{booking_id}/cancel", json={}, headers=headers)
    assert (
        await client.get(link(booking_id), headers={"x-appointment-secret": token})
    ).status_code == 404
    late = await client.post(f"{link(booking_id)}/confirm", json={"secret": token})
    assert (late.status_code, late.json()["code"]) == (409, "conflict")


async def test_the_host_cannot_confirm_it_for_the_attendee(
    client: Client, settings: Settings, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a, **BOTH)
    booking_id = (await book(client, side_a, mt, at(12)))["provisionalBookingId"]
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    for headers in (side_a.tenant.headers(side_a.member_id), admin):
        url = f"/v4/provisional-booking/{booking_id}/confirm"
        refused = await client.post(url, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (409, "conflict"), refused.text
        assert "attendee" in refused.json()["message"]
    # nor through the host's mailed links, even with the attendee's token
    token = await opt_in_token(settings, booking_id)
    host_link = f"/v4/public/booking-request/{booking_id}"
    assert (await client.get(host_link, headers={"x-appointment-secret": token})).status_code == 404
    assert (await client.post(f"{host_link}/confirm", json={"secret": token})).status_code == 404
    assert emitted.types == []
    [item] = await provisional(client, side_a, f"meetingTypeId={mt['id']}")
    assert (item["type"], item["status"]) == ("doubleOptIn", "pending")


async def test_with_host_confirmation_the_attendee_confirms_first(
    client: Client, settings: Settings, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a, **BOTH)
    pending = await book(client, side_a, mt, at(13))
    assert pending["bookingType"] == "doubleOptIn"
    booking_id = pending["provisionalBookingId"]
    token = await opt_in_token(settings, booking_id)
    before = datetime.now(UTC)
    confirmed = await client.post(f"{link(booking_id)}/confirm", json={"secret": token})
    assert confirmed.json() == {"id": booking_id, "status": "requested"}
    # now exactly what a booking on a host confirmation type does
    assert emitted.types == ["booking_requested"]
    assert await kinds(settings, booking_id) == [
        "booking_opt_in",
        "booking_requested",
        "host_confirmation_requested",
    ]
    [item] = await provisional(client, side_a, f"meetingTypeId={mt['id']}")
    assert (item["type"], item["status"]) == ("hostConfirmation", "pending")
    ttl = timedelta(minutes=settings.provisional_ttl_minutes)
    assert datetime.fromisoformat(item["expiresAt"]) > before + ttl - timedelta(minutes=1)
    again = await client.post(f"{link(booking_id)}/confirm", json={"secret": token})
    assert again.json() == {"id": booking_id, "status": "requested"}
    seen = await client.get(link(booking_id), headers={"x-appointment-secret": token})
    assert seen.json()["status"] == "requested"
    headers = side_a.tenant.headers(side_a.member_id)
    host = await client.post(f"/v4/provisional-booking/{booking_id}/confirm", headers=headers)
    assert host.status_code == 200, host.text
    assert emitted.types == ["booking_requested", "booking_confirmed"]
    final = await client.post(f"{link(booking_id)}/confirm", json={"secret": token})
    assert final.json() == {"id": booking_id, "status": "confirmed"}


async def test_expiry_frees_the_slot(
    client: Client, settings: Settings, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a, **OPT_IN)
    booking_id = (await book(client, side_a, mt, at(14)))["provisionalBookingId"]
    token = await opt_in_token(settings, booking_id)
    await execute(
        settings,
        "UPDATE appointment SET expires_at = now() - interval '1 minute' WHERE id = $1",
        uuid.UUID(booking_id),
    )
    assert (
        await client.get(link(booking_id), headers={"x-appointment-secret": token})
    ).status_code == 404
    [item] = await provisional(client, side_a, f"status=expired&meetingTypeId={mt['id']}")
    assert item["id"] == booking_id
    taker = await book(client, side_a, mt, at(14), attendee=attendee_body("taker@example.test"))
    assert taker["provisionalBookingId"] != booking_id
    late = await client.post(f"{link(booking_id)}/confirm", json={"secret": token})
    assert (late.status_code, late.json()["code"]) == (409, "slot_unavailable")
    assert emitted.types == []


async def test_it_expires_at_the_start_when_that_comes_sooner(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, **OPT_IN)
    start = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
    pending = await book(client, side_a, mt, start, ignoreAvailability=True)
    [item] = await provisional(client, side_a, f"meetingTypeId={mt['id']}")
    assert item["id"] == pending["provisionalBookingId"]
    assert datetime.fromisoformat(item["expiresAt"]) == start


async def test_the_host_may_decline_it(
    client: Client, settings: Settings, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a, **OPT_IN)
    booking_id = (await book(client, side_a, mt, at(15)))["provisionalBookingId"]
    token = await opt_in_token(settings, booking_id)
    headers = side_a.tenant.headers(side_a.member_id)
    declined = await client.post(f"/v4/provisional-booking/{booking_id}/decline", headers=headers)
    assert declined.status_code == 200, declined.text
    assert (declined.json()["type"], declined.json()["status"]) == (
        "doubleOptIn",
        "declined_by_host",
    )
    assert (
        await client.get(link(booking_id), headers={"x-appointment-secret": token})
    ).status_code == 404
    late = await client.post(f"{link(booking_id)}/confirm", json={"secret": token})
    assert late.status_code == 409
    await book(client, side_a, mt, at(15), attendee=attendee_body("next@example.test"))
    assert emitted.types == ["booking_declined"]


async def test_another_company_cannot_see_or_confirm_it(
    client: Client, side_a: Side, side_b: Side
) -> None:
    mt = await make_type(client, side_a, **OPT_IN)
    booking_id = (await book(client, side_a, mt, at(16)))["provisionalBookingId"]
    others = side_b.tenant.headers(side_b.member_id)
    for method, path in (
        ("GET", f"/v4/appointment/{booking_id}"),
        ("POST", f"/v4/provisional-booking/{booking_id}/confirm"),
        ("POST", f"/v4/provisional-booking/{booking_id}/decline"),
    ):
        response = await client.request(method, path, headers=others)
        assert response.status_code == 404, (method, path, response.text)
    listed = await client.get(
        "/v4/provisional-booking/paginated", headers=side_b.tenant.headers(side_b.member_id)
    )
    assert booking_id not in listed.text
    admin = await client.get(
        f"/v4/provisional-booking/paginated?userId={side_a.member_id}",
        headers=side_b.tenant.headers(side_b.admin_id),
    )
    # scoped to company B: A's user has nothing there
    assert (admin.status_code, admin.json()["total"]) == (200, 0)
