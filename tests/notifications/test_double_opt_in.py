"""Double opt-in through a real SMTP server: the attendee's mail carries the confirm link (in
their language); following it and pressing the button sends what a direct booking sends."""

import json
import uuid
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

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
from tests.support.factories import Side, attendee_body, make_webhook
from tests.support.smtp_server import Inbox

Client = AsyncTestClient[Litestar]


@pytest.fixture
def settings(settings: Settings, inbox: Inbox) -> Settings:
    return msgspec.structs.replace(
        settings, smtp_url=inbox.url, mail_from="Bookings <no-reply@book.example.test>"
    )


@pytest.fixture
def mailer(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> Mailer:
    return Mailer(sessions, settings)


async def send_due(mailer: Mailer, settings: Settings, appointment_id: str) -> list[object]:
    rows = await fetch(
        settings,
        "SELECT id FROM notification WHERE appointment_id = $1 AND status = 'queued' "
        "AND next_attempt_at <= now() ORDER BY created_at, id",
        uuid.UUID(appointment_id),
    )
    return [await mailer.send(row["id"]) for row in rows]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("html",))
    assert body is not None
    return str(body.get_content())


def calendars(message: EmailMessage) -> list[EmailMessage]:
    return [p for p in message.walk() if p.get_content_type() == "text/calendar"]


def confirm_link(message: EmailMessage) -> str:
    [found] = [w for w in text_of(message).split() if "/ok/" in w]
    return found


async def opt_in_type(client: Client, side: Side) -> dict[str, object]:
    return await make_type(client, side, meetingOptions={"doubleOptIn": True})


async def test_the_mail_carries_the_link_in_the_attendees_language(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    meeting_type = await opt_in_type(client, side_a)
    german = attendee_body("grete@example.test", language="de", timezone="Europe/Berlin")
    created = {
        "en": (await book(client, side_a, meeting_type, at(10)))["provisionalBookingId"],
        "de": (await book(client, side_a, meeting_type, at(11), attendee=german))[
            "provisionalBookingId"
        ],
    }
    for booking_id in created.values():
        assert await send_due(mailer, settings, booking_id) == [NotificationStatus.SENT]
    messages = inbox.wait_for(2)
    assert len(messages) == 2, "the host hears nothing before the attendee confirms"
    by_language = {str(m["Content-Language"]): m for m in messages}
    english, deutsch = by_language["en"], by_language["de"]
    assert "ada@example.test" in str(english["To"])
    assert english["Subject"].startswith("Please confirm your booking: Consult with ")
    assert "nothing is booked without your confirmation" in text_of(english)
    assert "Confirm by: " in text_of(english)
    assert deutsch["Subject"].startswith("Bitte bestätigen Sie Ihre Buchung: Consult mit ")
    assert "Bestätigen bis: " in text_of(deutsch)
    assert "Ohne Ihre Bestätigung wird nichts gebucht." in text_of(deutsch)
    for language, message in by_language.items():
        assert calendars(message) == [], "no invite before the attendee confirms"
        assert "/my/" not in text_of(message), "nothing to manage yet"
        link = urlsplit(confirm_link(message))
        assert link.path == f"/ok/{created[language]}"
        assert parse_qs(link.query) == {"lang": [language]}
        assert len(link.fragment) >= 43
        assert confirm_link(message) in html_of(message)
        page = await client.get(f"{link.path}?{link.query}")
        assert page.status_code == 200
        assert link.fragment not in page.text
    # the token has left the rows once the mail is out
    rows = await fetch(
        settings,
        "SELECT context FROM notification WHERE appointment_id = ANY($1::uuid[])",
        [uuid.UUID(i) for i in created.values()],
    )
    assert all("secret" not in json.loads(row["context"]) for row in rows)


async def test_confirming_through_the_link_sends_what_a_booking_sends(
    client: Client, side_a: Side, settings: Settings, inbox: Inbox, mailer: Mailer
) -> None:
    await make_webhook(settings, side_a.tenant, event_types=("booking_created",))
    meeting_type = await opt_in_type(client, side_a)
    german = attendee_body("grete@example.test", language="de", timezone="Europe/Berlin")
    created = await book(client, side_a, meeting_type, at(11), attendee=german)
    booking_id = created["provisionalBookingId"]
    await send_due(mailer, settings, booking_id)
    link = urlsplit(confirm_link(inbox.wait_for(1)[0]))
    page = await client.get(f"{link.path}?{link.query}")
    assert "Bestätigen Sie Ihre Buchung" in page.text
    api = f"/v4/public/double-opt-in/{booking_id}"
    seen = await client.get(api, headers={"x-appointment-secret": link.fragment})
    assert seen.json()["status"] == "pending"
    done = await client.post(f"{api}/confirm", json={"secret": link.fragment})
    assert done.json() == {"id": booking_id, "status": "confirmed"}
    assert await send_due(mailer, settings, booking_id) == [NotificationStatus.SENT] * 2
    after = inbox.wait_for(3)[1:]
    [confirmation] = [m for m in after if "grete@example.test" in str(m["To"])]
    assert confirmation["Subject"].startswith("Bestätigt: Consult mit ")
    [invite] = calendars(confirmation)
    event = next(iter(icalendar.Calendar.from_ical(invite.get_payload(decode=True)).walk("VEVENT")))
    assert event.decoded("DTSTART") == at(11)
    manage = next(w for w in text_of(confirmation).split() if "/my/" in w)
    own = await client.get(
        f"/v4/public/appointment/{booking_id}",
        headers={"x-appointment-secret": urlsplit(manage).fragment},
    )
    assert own.status_code == 200, own.text
    [host] = [m for m in after if m is not confirmation]
    assert "grete@example.test" in text_of(host)
    # booking_created went to the webhook, with neither the link's token nor the secret
    events = await fetch(
        settings, "SELECT type, payload FROM webhook_event WHERE type LIKE 'booking%'"
    )
    assert [row["type"] for row in events] == ["booking_created"]
    payload = bytes(events[0]["payload"]).decode()
    assert booking_id in payload
    assert link.fragment not in payload
    assert "secret" not in payload.lower()
    # a second click sends nothing more
    again = await client.post(f"{api}/confirm", json={"secret": link.fragment})
    assert again.json() == {"id": booking_id, "status": "confirmed"}
    assert await send_due(mailer, settings, booking_id) == []
