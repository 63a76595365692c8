"""Mails as their recipients' clients parse them: structure, headers, language, times, safety."""

import ast
import email
import email.policy
import re
import string
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from jinja2 import nodes

from slotwise.mails import compose as c
from slotwise.mails.compose import Brand, Kind, Mail, Person
from slotwise.pages.i18n import catalog

START = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
END = datetime(2026, 12, 14, 8, 30, tzinfo=UTC)
ICS = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
DASH = "\u2013"
MANAGE = "https://book.example.com/manage/0190c7a2#secret=abc123"


def mail(**changes: object) -> Mail:
    base = Mail(
        kind=Kind.CONFIRMED,
        language="en",
        recipient=Person("Ada Lovelace", "ada@example.com"),
        sender=Person("", "bookings@slotwise.example"),
        reply_to=Person("Hanna Host", "hanna@acme.example"),
        message_id="<0190c7a2-1111-7000-8000-000000000001@slotwise.example>",
        brand=Brand("ACME Consulting", "https://app.example.com/logo.png", "#0055aa", None),
        title="Intro call",
        host_name="Hanna Host",
        start=START,
        end=END,
        timezone="Europe/Berlin",
        location="https://meet.example.com/abc",
        notes="Please call me on my mobile.",
        manage_url=MANAGE,
        ics=ICS,
        ics_method="REQUEST",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def sent(value: Mail) -> EmailMessage:
    """The message as a receiving client reads it back."""
    parsed = email.message_from_bytes(c.compose(value).as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def test_with_a_calendar_the_mail_is_mixed_alternatives_plus_the_invite() -> None:
    message = sent(mail())
    assert message.get_content_type() == "multipart/mixed"
    body, attachment = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_content_charset() == "utf-8"
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_payload(decode=True) == ICS


def test_a_cancellation_carries_method_cancel() -> None:
    message = sent(mail(kind=Kind.CANCELLED, ics_method="CANCEL", reason="Ill, sorry"))
    attachment = next(iter(message.iter_attachments()))
    assert attachment.get_param("method") == "CANCEL"
    assert "Reason: Ill, sorry" in text_of(message)


def test_without_a_calendar_the_mail_is_only_alternatives() -> None:
    message = sent(mail(kind=Kind.REMINDER, ics=None, ics_method=None))
    assert message.get_content_type() == "multipart/alternative"
    assert list(message.iter_attachments()) == []


def test_an_unknown_calendar_method_is_refused() -> None:
    with pytest.raises(ValueError, match="calendar method"):
        c.compose(mail(ics_method="PUBLISH\r\nX: y"))


def test_headers_name_the_brand_the_host_and_the_language() -> None:
    message = sent(mail(brand=Brand("Müller & Söhne GmbH", None, None, None)))
    sender = message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == (
        "Müller & Söhne GmbH",
        "bookings@slotwise.example",
    )
    assert message["To"].addresses[0].addr_spec == "ada@example.com"
    assert message["Reply-To"].addresses[0].addr_spec == "hanna@acme.example"
    assert message["Message-ID"] == "<0190c7a2-1111-7000-8000-000000000001@slotwise.example>"
    assert message["Content-Language"] == "en"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"] is not None
    assert message.get_body(("plain",))["Content-Language"] is None


def test_no_reply_to_when_none_is_given() -> None:
    assert sent(mail(reply_to=None))["Reply-To"] is None


def test_the_subject_in_english_and_german() -> None:
    assert c.subject(mail()) == "Confirmed: Intro call with Hanna Host"
    german = mail(language="de")
    assert c.subject(german) == "Bestätigt: Intro call mit Hanna Host"
    message = sent(german)
    assert message["Subject"] == "Bestätigt: Intro call mit Hanna Host"
    assert message["Content-Language"] == "de"


def test_an_unknown_language_falls_back_to_english() -> None:
    message = sent(mail(language="fr"))
    assert message["Content-Language"] == "en"
    assert "Your booking is confirmed" in text_of(message)


def test_host_subjects_name_who_booked() -> None:
    host = mail(kind=Kind.HOST_BOOKED, attendees=(Person("Ada Lovelace", "ada@example.com"),))
    assert c.subject(host) == "New booking: Intro call with Ada Lovelace"


def test_times_show_in_the_recipients_zone_and_format() -> None:
    berlin = text_of(sent(mail()))
    assert f"Monday, 14 December 2026, 09:00 {DASH} 09:30 (Europe/Berlin)" in berlin
    new_york = text_of(sent(mail(timezone="America/New_York", time_format="12h")))
    assert f"Monday, 14 December 2026, 3:00 AM {DASH} 3:30 AM (America/New_York)" in new_york
    german = text_of(sent(mail(language="de")))
    assert f"Montag, 14. Dezember 2026, 09:00 {DASH} 09:30 (Europe/Berlin)" in german


def test_a_meeting_past_midnight_shows_both_dates() -> None:
    late = mail(
        start=datetime(2026, 12, 14, 22, 30, tzinfo=UTC),
        end=datetime(2026, 12, 14, 23, 30, tzinfo=UTC),
    )
    text = text_of(sent(late))
    assert f"Monday, 14 December 2026, 23:30 {DASH} Tuesday, 15 December 2026, 00:30" in text


def test_an_unknown_zone_shows_utc_rather_than_failing() -> None:
    assert f"08:00 {DASH} 08:30 (UTC)" in text_of(sent(mail(timezone="Mars/Olympus")))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        c.compose(mail(start=datetime(2026, 12, 14, 8, 0)))  # noqa: DTZ001


def test_a_german_mail_speaks_german() -> None:
    message = sent(mail(language="de"))
    for part in (text_of(message), html_of(message)):
        assert "Guten Tag Ada Lovelace," in part
        assert "Ihre Buchung ist bestätigt" in part
        assert "Verschieben oder absagen" in part
        assert "Gesendet im Auftrag von ACME Consulting" in part
    assert '<html lang="de">' in html_of(message)


def test_the_attendee_sees_what_when_who_where_and_the_manage_link() -> None:
    message = sent(mail())
    text = text_of(message)
    assert "Hello Ada Lovelace," in text
    assert "What: Intro call" in text
    assert "With: Hanna Host" in text
    assert "Where: https://meet.example.com/abc" in text
    assert "Notes: Please call me on my mobile." in text
    assert f"Reschedule or cancel: {MANAGE}" in text
    html = html_of(message)
    assert f'href="{MANAGE}"' in html
    assert '<a href="https://meet.example.com/abc"' in html


def test_html_is_branded_with_the_logo_and_colour() -> None:
    html = html_of(sent(mail()))
    assert '<img src="https://app.example.com/logo.png"' in html
    assert "background:#0055aa" in html
    assert "color:#ffffff" in html
    assert re.findall(r'(?:src|href)="(http[^"]*)"', html) == [
        "https://app.example.com/logo.png",
        "https://meet.example.com/abc",
        MANAGE,
    ], "no other external resource or link"


def test_unsafe_brand_values_never_reach_the_html() -> None:
    brand = Brand("ACME", "javascript:alert(1)", "red;background:url(https://x)", "#fff")
    html = html_of(sent(mail(brand=brand, location="javascript:alert(2)")))
    assert re.findall(r'(?:href|src)="(?!https://)', html) == []
    assert '<span style="white-space:pre-line;">javascript:alert(2)</span>' in html, "as text"
    assert "<img" not in html
    assert "url(" not in html
    assert f"background:{c.NEUTRAL_COLOR}" in html
    assert "color:#ffffff" in html


def test_names_are_escaped_in_html_but_not_in_text() -> None:
    evil = "<script>alert(1)</script>"
    message = sent(mail(recipient=Person(evil, "ada@example.com"), title="A & B"))
    html = html_of(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A &amp; B" in html
    text = text_of(message)
    assert f"Hello {evil}," in text
    assert "What: A & B" in text


def test_line_breaks_in_names_cannot_add_headers() -> None:
    eve = "Eve\r\nBcc: victim@example.com"
    raw = c.compose(
        mail(
            recipient=Person(eve, "eve@example.com"),
            reply_to=Person("Host\nX-Evil: 1", "hanna@acme.example"),
            brand=Brand("ACME\r\nBcc: victim@example.com", None, None, None),
            title="Call\rBcc: victim@example.com",
            host_name="Hanna\u2028Bcc: victim@example.com",
        )
    ).as_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Bcc"] is None
    assert message["X-Evil"] is None
    header_block = raw.split(b"\n\n", 1)[0]
    assert not re.search(rb"^bcc:", header_block, re.I | re.M)
    for name in ("From", "To", "Reply-To"):
        display = message[name].addresses[0].display_name
        assert "\r" not in display
        assert "\n" not in display
    assert message["To"].addresses[0].display_name == "Eve Bcc: victim@example.com"
    # folded onto its own line, so the unfolded value may start with the folding space
    assert message["Subject"].strip() == (
        "Confirmed: Call Bcc: victim@example.com with Hanna Bcc: victim@example.com"
    )


def test_one_line_flattens_every_control_character() -> None:
    assert c.one_line("a\r\n\tb\x00c\x85d\u2029e  f") == "a b c d e f"


def test_the_host_request_offers_confirm_and_decline() -> None:
    request = mail(
        kind=Kind.HOST_REQUEST,
        recipient=Person("Hanna Host", "hanna@acme.example"),
        reply_to=None,
        attendees=(Person("Ada Lovelace", "ada@example.com"),),
        confirm_url="https://app.example.com/requests/1?confirm",
        decline_url="https://app.example.com/requests/1?decline",
        ics=None,
    )
    message = sent(request)
    text, html = text_of(message), html_of(message)
    for part in (text, html):
        assert "https://app.example.com/requests/1?confirm" in part
        assert "https://app.example.com/requests/1?decline" in part
        assert "Nothing changes until you confirm or decline." in part
    assert "Confirm: https://app.example.com/requests/1?confirm" in text
    assert "Decline: https://app.example.com/requests/1?decline" in text
    assert MANAGE not in text, "the host never gets the attendee's secret link"


def test_the_host_sees_who_booked_their_answers_and_the_appointment() -> None:
    booked = mail(
        kind=Kind.HOST_BOOKED,
        attendees=(Person("Ada Lovelace", "ada@example.com"), Person("Bob", "bob@example.com")),
        answers=(("Company", "Analytical Engines Ltd"), ("Budget", "")),
        appointment_url="https://app.example.com/appointments/1",
    )
    text = text_of(sent(booked))
    assert "Ada Lovelace, Bob has booked Intro call." in text
    assert "Booked by: Ada Lovelace <ada@example.com>\nBob <bob@example.com>" in text
    assert "Company: Analytical Engines Ltd" in text
    assert "Budget" not in text
    assert "Notes: Please call me on my mobile." in text
    assert "View appointment: https://app.example.com/appointments/1" in text
    assert MANAGE not in text


def test_a_reschedule_shows_the_old_and_the_new_time() -> None:
    moved = mail(kind=Kind.RESCHEDULED, previous_start=datetime(2026, 12, 10, 13, 0, tzinfo=UTC))
    text = text_of(sent(moved))
    assert f"New time: Monday, 14 December 2026, 09:00 {DASH} 09:30 (Europe/Berlin)" in text
    assert "Previous time: Thursday, 10 December 2026, 14:00 (Europe/Berlin)" in text


def test_ended_bookings_offer_no_manage_link_and_show_the_reason() -> None:
    declined = text_of(sent(mail(kind=Kind.DECLINED, reason="Fully booked", ics=None)))
    assert "Reason: Fully booked" in declined
    assert "Hanna Host has declined your request for Intro call." in declined
    assert MANAGE not in declined
    confirmed = text_of(sent(mail(reason="not shown")))
    assert "not shown" not in confirmed


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_composes_in_every_language(kind: Kind) -> None:
    for language in ("en", "de"):
        value = mail(kind=kind, language=language, previous_start=START, ics=None)
        message = sent(value)
        assert message["Subject"] == c.subject(value)
        assert c.WORDING[kind].heading not in ("", None)
        assert "Intro call" in message["Subject"]
        assert "Intro call" in text_of(message)


def mail_strings() -> set[str]:
    """Every message id the mails use: `_("…")` in compose.py and the templates, and the
    per-kind wording."""
    tree = ast.parse(Path(c.__file__).read_text(encoding="utf-8"))
    wanted = {
        call.args[0].value
        for call in ast.walk(tree)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "_"
        and call.args
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    }
    for wording in c.WORDING.values():
        wanted |= {wording.subject, wording.heading, wording.intro}
    for name in c.ENV.list_templates():
        source = Path(c.__file__).parent.joinpath("templates", name).read_text(encoding="utf-8")
        template = c.ENV.parse(source)
        wanted |= {
            call.args[0].value
            for call in template.find_all(nodes.Call)
            if isinstance(call.node, nodes.Name)
            and call.node.name == "_"
            and isinstance(call.args[0], nodes.Const)
        }
    return wanted


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_every_mail_string_has_a_german_translation() -> None:
    wanted = mail_strings()
    assert {"Sent on behalf of {brand}", "Hello {name},", "Confirm"} <= wanted
    assert set(Kind) == c.WORDING.keys()
    german = catalog("de")
    assert sorted(wanted - german.keys()) == []
    assert all(german[text] != text for text in wanted)
    assert [t for t in wanted if placeholders(german[t]) != placeholders(t)] == []


def test_the_opt_in_mail_asks_the_attendee_to_confirm_by_a_time() -> None:
    link = "https://book.example.com/ok/0190c7a2?lang=en#token"
    asked = mail(
        kind=Kind.OPT_IN,
        confirm_url=link,
        confirm_by=datetime(2026, 12, 13, 8, 0, tzinfo=UTC),
        ics=None,
    )
    message = sent(asked)
    text, html = text_of(message), html_of(message)
    assert message["Subject"] == "Please confirm your booking: Intro call with Hanna Host"
    assert f"Confirm booking: {link}" in text
    assert f'href="{link}"' in html
    assert "Confirm by: Sunday, 13 December 2026, 09:00 (Europe/Berlin)" in text
    assert "nothing is booked without your confirmation" in text
    assert MANAGE not in text, "nothing to manage before the attendee confirms"
    german = text_of(sent(replace(asked, language="de")))
    assert f"Buchung bestätigen: {link}" in german
    assert "Bestätigen bis: Sonntag, 13. Dezember 2026, 09:00 (Europe/Berlin)" in german
    assert "Ohne Ihre Bestätigung wird nichts gebucht." in german
