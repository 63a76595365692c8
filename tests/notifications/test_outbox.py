"""The mails a booking change writes, in the change's own transaction: who gets what, when,
and what reminders do when the booking moves or ends."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.bookings import at, book, fetch, make_type
from tests.support.factories import Side, attendee_body

Client = AsyncTestClient[Litestar]


async def notifications(client: Client, side: Side, appointment_id: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"/v4/appointment/{appointment_id}/notifications",
        headers=side.tenant.headers(side.member_id),
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["notifications"]
    return found


def summary(found: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((n["kind"], n["recipient"]) for n in found)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def host_email(client: Client, side: Side) -> str:
    response = await client.get(
        f"/v4/user/{side.member_id}", headers=side.tenant.headers(side.member_id)
    )
    email: str = response.json()["email"]
    return email


async def test_a_booking_queues_the_attendee_and_host_mails_and_reminders(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a)
    start = at(10)
    created = await book(client, side_a, meeting_type, start)
    found = await notifications(client, side_a, created["appointmentId"])
    host = await host_email(client, side_a)
    assert summary(found) == [
        ("booking_confirmed", "ada@example.test"),
        ("booking_reminder", "ada@example.test"),
        ("booking_reminder", "ada@example.test"),
        ("host_booking_created", host),
    ]
    reminders = sorted(instant(n["dueAt"]) for n in found if n["kind"] == "booking_reminder")
    assert reminders == [start - timedelta(days=1), start - timedelta(hours=1)]
    now = datetime.now(UTC)
    for mail in found:
        assert mail["status"] == "queued"
        assert mail["attempts"] == 0
        assert mail["language"] == "en"
        if mail["kind"] != "booking_reminder":
            assert instant(mail["dueAt"]) <= now
    # the attendee's secret waits in the rows only for the manage link of mails not yet sent
    rows = await fetch(
        settings,
        "SELECT kind::text, context FROM notification WHERE appointment_id = $1",
        uuid.UUID(created["appointmentId"]),
    )
    with_secret = sorted(row["kind"] for row in rows if '"secret"' in row["context"])
    assert with_secret == ["booking_confirmed", "booking_reminder", "booking_reminder"]


async def test_skip_notifications_leaves_only_the_host_mail(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(11), skipNotifications=True)
    found = await notifications(client, side_a, created["appointmentId"])
    assert summary(found) == [("host_booking_created", await host_email(client, side_a))]
    cancel = await client.post(
        f"/v4/appointment/{created['appointmentId']}/cancel",
        json={"reason": "no"},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert cancel.status_code == 200, cancel.text
    kinds = [n["kind"] for n in await notifications(client, side_a, created["appointmentId"])]
    assert sorted(kinds) == ["host_booking_cancelled", "host_booking_created"]


async def test_reschedule_moves_reminders_and_cancel_removes_them(
    client: Client, side_a: Side
) -> None:
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(9), attendee=attendee_body(language="de"))
    path = f"/v4/appointment/{created['appointmentId']}"
    moved = await client.post(
        f"{path}/reschedule",
        json={"start": at(14).isoformat()},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert moved.status_code == 200, moved.text
    found = await notifications(client, side_a, created["appointmentId"])
    reminders = sorted(instant(n["dueAt"]) for n in found if n["kind"] == "booking_reminder")
    assert reminders == [at(14) - timedelta(days=1), at(14) - timedelta(hours=1)]
    rescheduled = [n for n in found if n["kind"] == "booking_rescheduled"]
    assert [(n["recipient"], n["language"]) for n in rescheduled] == [("ada@example.test", "de")]
    assert any(n["kind"] == "host_booking_rescheduled" for n in found)
    cancelled = await client.post(
        f"{path}/cancel", json={"reason": "Ill"}, headers=side_a.tenant.headers(side_a.member_id)
    )
    assert cancelled.status_code == 200, cancelled.text
    found = await notifications(client, side_a, created["appointmentId"])
    assert not [n for n in found if n["kind"] == "booking_reminder"]
    assert {n["kind"] for n in found} >= {"booking_cancelled", "host_booking_cancelled"}


async def test_other_companies_see_no_notifications(
    client: Client, side_a: Side, side_b: Side
) -> None:
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(12))
    response = await client.get(
        f"/v4/appointment/{created['appointmentId']}/notifications",
        headers=side_b.tenant.headers(side_b.member_id),
    )
    assert response.status_code == 404


async def test_a_meeting_types_reminders_replace_the_defaults(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a, reminders=[30, 240, 30])
    assert meeting_type["reminders"] == [240, 30]
    created = await book(client, side_a, meeting_type, at(13))
    found = await notifications(client, side_a, created["appointmentId"])
    reminders = sorted(instant(n["dueAt"]) for n in found if n["kind"] == "booking_reminder")
    assert reminders == [at(13) - timedelta(hours=4), at(13) - timedelta(minutes=30)]
    headers = side_a.tenant.headers(side_a.member_id)
    for body, expected in (({"reminders": []}, []), ({"reminders": None}, None)):
        response = await client.patch(
            f"/v4/meeting-type/{meeting_type['id']}", json=body, headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["reminders"] == expected
    bad = await client.patch(
        f"/v4/meeting-type/{meeting_type['id']}", json={"reminders": [0]}, headers=headers
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "reminders[0]"
