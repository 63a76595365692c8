"""Mails reach a real SMTP server (aiosmtpd): the calendar invite matches the appointment's,
the manage link works, failures are retried or recorded, nothing is sent twice."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import icalendar
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.mails.jobs import Mailer
from slotwise.models import NotificationStatus
from slotwise.settings import Settings
from tests.support.bookings import at, book, fetch, make_type
from tests.support.factories import Side, attendee_body
from tests.support.smtp_server import Inbox, free_port, serving

Client = AsyncTestClient[Litestar]


@pytest.fixture
def settings(settings: Settings, inbox: Inbox) -> Settings:
    return msgspec.structs.replace(
        settings, smtp_url=inbox.url, mail_from="Bookings <no-reply@book.example.test>"
    )


@pytest.fixture
def mailer(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> Mailer:
    return Mailer(sessions, settings)


async def due_ids(settings: Settings, appointment_id: str) -> list[uuid.UUID]:
    rows = await fetch(
        settings,
        "SELECT id FROM notification WHERE appointment_id = $1 AND status = 'queued' "
        "AND next_attempt_at <= now() ORDER BY created_at, id",
        uuid.UUID(appointment_id),
    )
    return [row["id"] for row in rows]


async def send_due(mailer: Mailer, settings: Settings, appointment_id: str) -> list[Any]:
    return [await mailer.send(nid) for nid in await due_ids(settings, appointment_id)]


def calendar_of(message: EmailMessage) -> icalendar.Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.walk()]
    return icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))


def event_of(calendar: icalendar.Calendar) -> Any:
    return next(iter(calendar.walk("VEVENT")))


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def to(messages: list[EmailMessage], address: str) -> list[EmailMessage]:
    return [m for m in messages if address in str(m["To"])]


async def api_calendar(client: Client, side: Side, appointment_id: str) -> Any:
    response = await client.get(
        f"/v4/appointment/{appointment_id}/ics", headers=side.tenant.headers(side.member_id)
    )
    assert response.status_code == 200
    return event_of(icalendar.Calendar.from_ical(response.content))


async def test_a_booking_mails_the_attendee_an_invite_and_the_host_a_notice(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    link = {"hostAppointmentUrl": "https://app.partner.example/appointments/{appointmentId}"}
    patched = await client.patch(
        "/v4/company/notifications", json=link, headers=side_a.tenant.headers()
    )
    assert patched.status_code == 200, patched.text
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(10))
    appointment_id = created["appointmentId"]
    assert await send_due(mailer, settings, appointment_id) == [NotificationStatus.SENT] * 2
    messages = inbox.wait_for(2)
    attendee = to(messages, "ada@example.test")
    assert len(attendee) == 1
    assert len(messages) == 2
    mail = attendee[0]
    assert mail["From"].addresses[0].addr_spec == "no-reply@book.example.test"
    assert mail["Content-Language"] == "en"
    assert mail["Message-ID"].endswith("@book.example.test>")
    invite = calendar_of(mail)
    assert str(invite["METHOD"]) == "REQUEST"
    event = event_of(invite)
    api = await api_calendar(client, side_a, appointment_id)
    assert str(event["UID"]) == str(api["UID"])
    assert event.decoded("DTSTART") == at(10)
    # the manage link in the mail opens the invitee's own booking
    link = next(w for w in text_of(mail).split() if "/my/" in w)
    parts = urlsplit(link)
    own = await client.get(
        f"/v4/public/appointment/{appointment_id}", headers={"x-appointment-secret": parts.fragment}
    )
    assert own.status_code == 200, own.text
    host = next(m for m in messages if m is not mail)
    assert "Ada" in text_of(host)
    assert f"https://app.partner.example/appointments/{appointment_id}" in text_of(host)
    assert "/my/" not in text_of(host)
    # sent: the secret has left the rows; a repeated wake-up sends nothing more
    rows = await fetch(
        settings,
        "SELECT status::text, context FROM notification WHERE appointment_id = $1",
        uuid.UUID(appointment_id),
    )
    sent = [row for row in rows if row["status"] == "sent"]
    assert len(sent) == 2
    assert all('"secret"' not in row["context"] for row in sent)
    ids = list(await due_ids(settings, appointment_id))
    assert ids == []


async def test_cancel_and_reschedule_send_the_matching_calendar_method(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(9), attendee=attendee_body(language="de"))
    appointment_id = created["appointmentId"]
    await send_due(mailer, settings, appointment_id)
    headers = side_a.tenant.headers(side_a.member_id)
    path = f"/v4/appointment/{appointment_id}"
    moved = await client.post(
        f"{path}/reschedule", json={"start": at(11).isoformat()}, headers=headers
    )
    assert moved.status_code == 200, moved.text
    await send_due(mailer, settings, appointment_id)
    cancelled = await client.post(f"{path}/cancel", json={"reason": "Krank"}, headers=headers)
    assert cancelled.status_code == 200, cancelled.text
    await send_due(mailer, settings, appointment_id)
    attendee = to(inbox.wait_for(6), "ada@example.test")
    assert len(attendee) == 3
    assert {m["Content-Language"] for m in attendee} == {"de"}
    invites = [calendar_of(m) for m in attendee]
    methods = [str(c["METHOD"]) for c in invites]
    sequences = [int(event_of(c)["SEQUENCE"]) for c in invites]
    uids = {str(event_of(c)["UID"]) for c in invites}
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    assert sequences == sorted(sequences)
    assert len(set(sequences)) == 3
    assert len(uids) == 1
    assert event_of(invites[1]).decoded("DTSTART") == at(11)
    assert "Krank" in text_of(attendee[2])


async def test_skip_notifications_sends_the_attendee_nothing(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(12), skipNotifications=True)
    await send_due(mailer, settings, created["appointmentId"])
    messages = inbox.wait_for(1)
    assert len(messages) == 1
    assert to(messages, "ada@example.test") == []


async def test_a_name_cannot_add_headers(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    meeting_type = await make_type(client, side_a)
    attendee = attendee_body(firstname="Eve\r\nBcc: victim@example.test", lastname="X\nY")
    created = await book(client, side_a, meeting_type, at(14), attendee=attendee)
    await send_due(mailer, settings, created["appointmentId"])
    messages = inbox.wait_for(2)
    assert len(messages) == 2
    assert all(m["Bcc"] is None for m in messages)
    assert all("victim" not in str(rcpt) for rcpt in inbox.recipients)
    assert all("\n" not in str(m["To"]) for m in messages)


async def test_a_server_that_is_down_gets_the_mail_later(
    client: Client,
    side_a: Side,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    port = free_port()
    down = msgspec.structs.replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(15), skipNotifications=True)
    now = [datetime.now(UTC) + timedelta(seconds=1)]
    mailer = Mailer(sessions, down, clock=lambda: now[0])
    (only,) = await due_ids(down, created["appointmentId"])
    assert await mailer.send(only) == NotificationStatus.QUEUED
    listed = await client.get(
        f"/v4/appointment/{created['appointmentId']}/notifications",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    (view,) = listed.json()["notifications"]
    assert (view["status"], view["attempts"]) == ("queued", 1)
    assert view["error"]
    assert await mailer.send(only) is None, "not due again yet"
    with serving(Inbox(port)) as inbox:
        now[0] += timedelta(minutes=1)
        assert await mailer.send(only) == NotificationStatus.SENT
        assert len(inbox.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("reply", "status"),
    [("451 4.3.0 Try again later", "queued"), ("554 5.7.1 Rejected", "failed")],
)
async def test_temporary_refusals_are_retried_and_permanent_ones_recorded(
    *,
    client: Client,
    side_a: Side,
    settings: Settings,
    inbox: Inbox,
    mailer: Mailer,
    reply: str,
    status: str,
) -> None:
    inbox.replies.append(reply)
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(16), skipNotifications=True)
    await send_due(mailer, settings, created["appointmentId"])
    listed = await client.get(
        f"/v4/appointment/{created['appointmentId']}/notifications",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    (view,) = listed.json()["notifications"]
    assert view["status"] == status
    assert reply.split(maxsplit=1)[0] in view["error"]


async def test_a_send_cut_short_gives_the_mail_back_at_once(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    """A stopping worker cancels its jobs: the mail waits again, not counted as an attempt, for
    the next send to take now rather than after the lease."""
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(12), skipNotifications=True)
    (only,) = await due_ids(settings, created["appointmentId"])
    inbox.stall = 1.0
    sending = asyncio.create_task(mailer.send(only))
    claimed = "SELECT status::text AS s FROM notification WHERE id = $1"
    while (await fetch(settings, claimed, only))[0]["s"] != "sending":
        assert not sending.done()
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.4)  # in the SMTP conversation
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    [row] = await fetch(
        settings,
        "SELECT status::text, attempts, locked_until FROM notification WHERE id = $1",
        only,
    )
    assert dict(row) == {"status": "queued", "attempts": 0, "locked_until": None}
    inbox.stall = 0.0
    assert await mailer.send(only) == NotificationStatus.SENT
    # one mail, under one Message-ID (the server may also have taken the cut-short copy)
    sent = {str(m["Message-ID"]).strip("<>").split("@")[0] for m in inbox.wait_for(1)}
    assert sent == {str(only)}


async def test_without_a_mail_server_notifications_are_skipped(
    client: Client, side_a: Side, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    mailer = Mailer(sessions, msgspec.structs.replace(settings, smtp_url=None))
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(13))
    statuses = await send_due(mailer, settings, created["appointmentId"])
    assert statuses == [NotificationStatus.SKIPPED] * 2
    rows = await fetch(
        settings,
        "SELECT status::text, context FROM notification WHERE appointment_id = $1 "
        "AND next_attempt_at <= now()",
        uuid.UUID(created["appointmentId"]),
    )
    assert {row["status"] for row in rows} == {"skipped"}
    assert all('"secret"' not in row["context"] for row in rows)


def test_every_notification_kind_has_its_mail() -> None:
    from slotwise.mails.compose import Kind
    from slotwise.models import NotificationKind

    assert {kind.value for kind in NotificationKind} == {kind.value for kind in Kind}


async def test_the_host_confirms_through_the_mailed_link_and_the_attendee_is_mailed(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    meeting_type = await make_type(client, side_a, meetingOptions={"requireHostConfirmation": True})
    created = await book(client, side_a, meeting_type, at(10))
    request_id = created["provisionalBookingId"]
    await send_due(mailer, settings, request_id)
    messages = inbox.wait_for(2)
    received = to(messages, "ada@example.test")
    assert len(received) == 1
    assert calendar_of_any(received[0]) is None, "no invite before the host confirms"
    host = next(m for m in messages if m is not received[0])
    links = [w for w in text_of(host).split() if "/rq/" in w]
    confirm = next(link for link in links if "action=confirm" in link)
    assert any("action=decline" in link for link in links)
    parts = urlsplit(confirm)
    page = await client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200  # opening the link changes nothing
    api = f"/v4/public/booking-request/{request_id}"
    assert (
        await client.get(api, headers={"x-appointment-secret": parts.fragment})
    ).status_code == 200
    done = await client.post(f"{api}/confirm", json={"secret": parts.fragment})
    assert done.status_code == 200, done.text
    await send_due(mailer, settings, request_id)
    confirmation = to(inbox.wait_for(3), "ada@example.test")[-1]
    invite = calendar_of(confirmation)
    assert str(invite["METHOD"]) == "REQUEST"
    assert event_of(invite).decoded("DTSTART") == at(10)
    assert any("/my/" in w for w in text_of(confirmation).split()), text_of(confirmation)


def calendar_of_any(message: EmailMessage) -> object | None:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return parts[0] if parts else None


async def test_the_meeting_link_is_in_the_attendees_mail(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    room = "https://meet.example.test/room-42"
    meeting_type = await make_type(
        client,
        side_a,
        meetingInfo={"channel": "custom", "customChannelName": "Room", "customChannelLink": room},
    )
    created = await book(client, side_a, meeting_type, at(15))
    await send_due(mailer, settings, created["appointmentId"])
    (mail,) = to(inbox.wait_for(2), "ada@example.test")
    assert room in text_of(mail)


async def test_guests_ics_title_and_description(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    meeting_type = await make_type(client, side_a)
    guests = ["grace@example.test", "alan@example.test"]
    created = await book(
        client,
        side_a,
        meeting_type,
        at(16),
        attendee=attendee_body(bringalongEmails=guests),
        icsTitle="Kick-off with Ada",
        icsDescription="Bring the plans.",
    )
    appointment_id = created["appointmentId"]
    shown = await client.get(
        f"/v4/appointment/{appointment_id}", headers=side_a.tenant.headers(side_a.member_id)
    )
    assert shown.json()["attendees"][0]["bringalongEmails"] == guests
    event = await api_calendar(client, side_a, appointment_id)
    assert str(event["SUMMARY"]) == "Kick-off with Ada"
    assert str(event["DESCRIPTION"]) == "Bring the plans."
    invited = {str(a).removeprefix("mailto:") for a in event["ATTENDEE"]}
    assert invited == {"ada@example.test", *guests}
    await send_due(mailer, settings, appointment_id)
    messages = inbox.wait_for(4)
    for guest in guests:
        (mail,) = to(messages, guest)
        assert "Kick-off with Ada" in str(mail["Subject"])
        assert "/my/" not in text_of(mail), "the manage link is the attendee's own"
        assert str(event_of(calendar_of(mail))["UID"]) == str(event["UID"])
    (own,) = to(messages, "ada@example.test")
    assert "/my/" in text_of(own)


async def test_a_queue_id_is_refused_until_there_are_queues(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    refused = await book(
        client, side_a, meeting_type, at(9), expect=400, queueId=str(side_a.member_id)
    )
    assert refused["errors"][0]["field"] == "queueId"
    too_many = await book(
        client,
        side_a,
        meeting_type,
        at(9),
        expect=400,
        attendee=attendee_body(bringalongEmails=[f"g{n}@example.test" for n in range(6)]),
    )
    assert too_many["errors"][0]["field"] == "attendee.bringalongEmails"
