"""Connected CalDAV calendars against a real Radicale server: connect, busy time in, choose."""

from datetime import UTC, timedelta
from typing import Any

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.calendars.caldav import event_href
from slotwise.calendars.push import Pusher
from slotwise.calendars.sync import Syncer
from slotwise.settings import SETTINGS, Settings
from tests.calendars.conftest import Account, push_all, slots, starts, sync
from tests.support import bookings as support
from tests.support.factories import Side
from tests.support.radicale import PASSWORD, vevent

MONDAY = support.monday()


def local(hour: int, minute: int = 0, days: int = 0) -> str:
    """How a slot start on the test Monday (plus `days`) is written: Berlin wall time."""
    return support.at(hour, minute, day=MONDAY + timedelta(days=days)).isoformat()


def berlin(hour: int, days: int = 0) -> str:
    day = MONDAY + timedelta(days=days)
    return f";TZID=Europe/Berlin:{day:%Y%m%d}T{hour:02d}0000"


async def connect(
    client: AsyncTestClient[Litestar], side: Side, account: Account, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v4/calendar-connections",
        json=account.body(**extra),
        headers=side.tenant.headers(side.member_id),
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_connect_finds_calendars_and_seals_the_password(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side, account: Account
) -> None:
    created = await connect(client, side_a, account)
    assert created["provider"] == "caldav"
    assert created["isConnected"] is True
    assert created["email"] == account.user
    assert sorted(c["name"] for c in created["calendars"]) == ["Private", "Work"]
    assert len(created["selectedCalendars"]) == 2
    assert sum(c["receivesBookings"] for c in created["calendars"]) == 1
    (row,) = await support.fetch(
        settings, "SELECT credentials FROM calendar_connection WHERE id = $1", created["id"]
    )
    assert row["credentials"].startswith("sealed:v1:")
    assert PASSWORD not in row["credentials"]
    listed = await client.get(
        "/v4/calendar-connections/connections", headers=side_a.tenant.headers(side_a.member_id)
    )
    assert listed.status_code == 200
    # the member's ICS feed of the matrix fixtures, and this one
    assert listed.json()["total"] == 2
    assert created["id"] in [c["id"] for c in listed.json()["connections"]]


async def test_wrong_password_is_a_400_and_stores_nothing(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side, account: Account
) -> None:
    before = await support.fetch(settings, "SELECT id FROM calendar_connection")
    response = await client.post(
        "/v4/calendar-connections",
        json=account.body(password="wrong"),
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "password"
    assert await support.fetch(settings, "SELECT id FROM calendar_connection") == before


async def test_events_block_slots_and_free_them_when_deleted(
    client: AsyncTestClient[Litestar], syncer: Syncer, side_a: Side, account: Account
) -> None:
    meeting_type = await support.make_type(client, side_a)
    created = await connect(client, side_a, account)
    assert local(10) in await starts(client, side_a, meeting_type, MONDAY)

    server = account.server
    server.put_event(account.work, "dentist", vevent("dentist", berlin(10), berlin(11)))
    weekly = vevent("gym", berlin(14, days=1), berlin(15, days=1), "RRULE:FREQ=WEEKLY")
    server.put_event(account.private, "gym", weekly)
    whole_day = vevent("off", f";VALUE=DATE:{MONDAY + timedelta(days=2):%Y%m%d}", "")
    server.put_event(account.work, "off", whole_day)
    free = vevent("lunch", berlin(12), berlin(13), "TRANSP:TRANSPARENT")
    server.put_event(account.work, "lunch", free)
    outcome = await sync(syncer, side_a, created["id"])
    assert outcome.error is None
    assert outcome.changed

    monday = await starts(client, side_a, meeting_type, MONDAY)
    assert local(10) not in monday
    assert local(10, 30) not in monday
    assert local(9, 30) in monday
    assert local(11) in monday
    assert local(12) in monday  # transparent: free
    next_week = MONDAY + timedelta(days=8)
    tuesdays = await starts(client, side_a, meeting_type, next_week)
    assert support.at(14, day=next_week).isoformat() not in tuesdays  # weekly, expanded
    assert support.at(13, day=next_week).isoformat() in tuesdays
    assert await starts(client, side_a, meeting_type, MONDAY + timedelta(days=2)) == []

    report = await slots(client, side_a, meeting_type, MONDAY, troubleshoot="true")
    blocked = {b["startTime"]: b for b in report["blocked"]}
    assert blocked[local(10)]["reason"] == "calendar"
    assert blocked[local(10)]["calendarConnectionId"] == created["id"]

    again = await sync(syncer, side_a, created["id"])
    assert (again.changed, again.parsed) == (False, 0)  # unchanged: one PROPFIND, no parse

    server.delete_event(account.work, "dentist")
    assert (await sync(syncer, side_a, created["id"])).changed
    assert local(10) in await starts(client, side_a, meeting_type, MONDAY)


async def test_only_selected_calendars_block(
    client: AsyncTestClient[Litestar], syncer: Syncer, side_a: Side, account: Account
) -> None:
    meeting_type = await support.make_type(client, side_a)
    created = await connect(client, side_a, account)
    account.server.put_event(account.private, "p", vevent("p", berlin(10), berlin(11)))
    await sync(syncer, side_a, created["id"])
    assert local(10) not in await starts(client, side_a, meeting_type, MONDAY)

    work = next(c["id"] for c in created["calendars"] if c["name"] == "Work")
    headers = side_a.tenant.headers(side_a.member_id)
    url = f"/v4/calendar-connections/{created['id']}"
    response = await client.patch(url, json={"selectedCalendarIds": [work]}, headers=headers)
    assert response.status_code == 200, response.text
    assert [c["name"] for c in response.json()["selectedCalendars"]] == ["Work"]
    assert local(10) in await starts(client, side_a, meeting_type, MONDAY)

    bad = await client.patch(url, json={"bookingCalendarId": created["id"]}, headers=headers)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "bookingCalendarId"

    gone = await client.delete(url, headers=headers)
    assert gone.status_code == 204
    assert (await client.get(url, headers=headers)).status_code == 404


def event_url(calendar: str, appointment_id: str) -> str:
    return event_href(calendar, f"{appointment_id}@slotwise")


async def test_bookings_are_written_moved_and_removed(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    pusher: Pusher,
    side_a: Side,
    account: Account,
) -> None:
    meeting_type = await support.make_type(client, side_a)
    created = await connect(client, side_a, account)
    work = next(c["id"] for c in created["calendars"] if c["name"] == "Work")
    headers = side_a.tenant.headers(side_a.member_id)
    url = f"/v4/calendar-connections/{created['id']}"
    chosen = await client.patch(url, json={"bookingCalendarId": work}, headers=headers)
    assert [c["name"] for c in chosen.json()["calendars"] if c["receivesBookings"]] == ["Work"]

    booked = await support.book(client, side_a, meeting_type, support.at(10))
    appointment_id = booked["appointmentId"]
    assert await push_all(settings, pusher) == ["done"]
    written = account.server.get(event_url(account.work, appointment_id))
    assert written.status_code == 200
    assert f"UID:{appointment_id}@slotwise" in written.text
    assert f"DTSTART:{support.at(10).astimezone(UTC):%Y%m%dT%H%M%SZ}" in written.text
    assert await push_all(settings, pusher) == []  # done: nothing runs twice

    moved = await client.post(
        f"/v4/appointment/{appointment_id}/reschedule",
        json={"start": support.at(11).isoformat()},
        headers=headers,
    )
    assert moved.status_code in (200, 201), moved.text
    assert await push_all(settings, pusher) == ["done"]
    written = account.server.get(event_url(account.work, appointment_id))
    assert f"DTSTART:{support.at(11).astimezone(UTC):%Y%m%dT%H%M%SZ}" in written.text

    cancelled = await client.post(
        f"/v4/appointment/{appointment_id}/cancel",
        json={"reason": "ill"},
        headers=headers,
    )
    assert cancelled.status_code in (200, 201), cancelled.text
    assert await push_all(settings, pusher) == ["done"]
    assert account.server.get(event_url(account.work, appointment_id)).status_code == 404


async def test_oauth_providers_answer_not_configured_until_set_up(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    headers = side_a.tenant.headers(side_a.member_id)
    for provider in ("google", "outlook"):
        response = await client.get(
            f"/v4/calendar-connections/auth/{provider}/url",
            params={"redirectUrl": "https://partner.example.test/done"},
            headers=headers,
        )
        assert response.status_code == 400
        assert response.json()["message"] == "Provider not configured"
    unknown = await client.get("/v4/calendar-connections/auth/nope/url", headers=headers)
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "provider"


async def test_a_configured_oauth_app_gets_an_authorization_link(
    client: AsyncTestClient[Litestar], app: Litestar, settings: Settings, side_a: Side
) -> None:
    configured = msgspec.structs.replace(
        settings, google_client_id="client-123", google_client_secret="shh"
    )
    SETTINGS.put(app.state, configured)
    response = await client.get(
        "/v4/calendar-connections/auth/google/url",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert response.status_code == 200, response.text
    link = response.json()["authUrl"]
    assert link.startswith("https://accounts.google.com/o/oauth2/v2/auth?client_id=client-123")
    assert response.json()["provider"] == "google"


async def test_another_companys_connection_is_not_found(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side, side_b: Side
) -> None:
    foreign = f"/v4/calendar-connections/{side_b.connection_id}"
    headers = side_a.tenant.headers(side_a.member_id)
    for method, body in (("GET", None), ("PATCH", {"isPrimary": True}), ("DELETE", None)):
        response = await client.request(method, foreign, headers=headers, json=body)
        assert response.status_code == 404, method
        assert response.json()["message"] == "Calendar connection not found"
    listed = await client.get(
        "/v4/calendar-connections/connections",
        params={"userId": str(side_b.member_id)},
        headers=headers,
    )
    assert listed.status_code == 404
    (row,) = await support.fetch(
        settings, "SELECT is_primary FROM calendar_connection WHERE id = $1", side_b.connection_id
    )
    assert row["is_primary"] is False
