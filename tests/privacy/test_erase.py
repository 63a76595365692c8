"""POST /v4/privacy/erase-attendee: a person leaves the company's bookings, the time blocks stay."""

import json
import re
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.bookings import at, book, fetch, make_type
from tests.support.db_snapshot import tables_mentioning
from tests.support.factories import Side, attendee_body, make_webhook

ADA = "ada@example.test"
ROUTE = "/v4/privacy/erase-attendee"


async def mentions(settings: Settings, side: Side, address: str) -> list[str]:
    """Where the company's rows still hold `address` (any case)."""
    like = f"%{address.lower()}%"
    rows = await fetch(
        settings,
        """
        SELECT 'attendee ' || id FROM attendee WHERE company_id = $1 AND lower(
            email || ' ' || firstname || ' ' || lastname || ' ' || coalesce(phone, '')
            || ' ' || notes::text || ' ' || custom_field_values::text
            || ' ' || bringalong_emails::text) LIKE $2
        UNION ALL SELECT 'appointment ' || id FROM appointment
            WHERE company_id = $1 AND lower(request::text) LIKE $2
        UNION ALL SELECT 'notification ' || id FROM notification
            WHERE company_id = $1 AND lower(recipient || ' ' || context::text) LIKE $2
        UNION ALL SELECT 'webhook_event ' || id FROM webhook_event
            WHERE company_id = $1 AND lower(convert_from(payload, 'UTF8')) LIKE $2
        """,
        side.tenant.company_id,
        like,
    )
    return [row[0] for row in rows]


async def test_erasure_replaces_the_person_and_keeps_the_time_blocked(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side, side_b: Side
) -> None:
    await make_webhook(settings, side_a.tenant, event_types=("booking_created",))
    mt = await make_type(client, side_a)
    own = attendee_body(
        "Ada@Example.TEST", phone="+49 30 1234567", notes={"topic": "Ada's secret plan"}
    )
    await book(client, side_a, mt, at(10), attendee=own)
    guest = attendee_body("grace@example.test", firstname="Grace", bringalongEmails=[ADA.upper()])
    await book(client, side_a, mt, at(11), attendee=guest)
    # the side's own booking, our two, and the one naming her as a guest
    before = await mentions(settings, side_a, ADA)
    assert any(m.startswith("notification") for m in before), before
    assert any(m.startswith("appointment") for m in before), before
    assert any(m.startswith("webhook_event") for m in before), before
    assert settings.database_url is not None
    everywhere = await tables_mentioning(settings.database_url, ADA, side_a.tenant.company_id)
    assert {"attendee", "appointment", "notification", "webhook_event"} <= set(everywhere)
    expected = await fetch(
        settings,
        """SELECT count(DISTINCT appointment_id) FROM attendee WHERE company_id = $1
           AND (lower(email) = $2 OR lower(bringalong_emails::text) LIKE '%' || $2 || '%')""",
        side_a.tenant.company_id,
        ADA,
    )
    statuses = await fetch(
        settings,
        "SELECT id, status, start_at, end_at FROM appointment WHERE company_id = $1 ORDER BY id",
        side_a.tenant.company_id,
    )

    response = await client.post(ROUTE, json={"email": ADA}, headers=side_a.tenant.headers())

    assert response.status_code == 200, response.text
    assert response.json() == {"erasedAppointments": expected[0][0]}
    assert expected[0][0] >= 3
    assert await mentions(settings, side_a, ADA) == []
    assert await mentions(settings, side_a, "secret plan") == []
    assert await mentions(settings, side_a, "+49 30 1234567") == []
    # nowhere else either: every column of every table, binary payloads included
    for trace in (ADA, "secret plan", "+49 30 1234567"):
        assert await tables_mentioning(settings.database_url, trace, side_a.tenant.company_id) == {}
    erased = await fetch(
        settings,
        "SELECT email, firstname, lastname, phone, notes::text FROM attendee"
        " WHERE company_id = $1 AND firstname = 'Erased'",
        side_a.tenant.company_id,
    )
    assert len(erased) >= 2
    emails = [row[0] for row in erased]
    assert len(set(emails)) == len(emails)  # one random tombstone per row
    for email, _, lastname, phone, notes in erased:
        assert re.fullmatch(r"erased-[0-9a-f]{16}@invalid", email), email
        assert (lastname, phone, notes) == ("", None, "{}")
    # recorded webhook bodies stay JSON, their person replaced
    bodies = await fetch(
        settings,
        "SELECT payload FROM webhook_event WHERE company_id = $1 AND type = 'booking_created'",
        side_a.tenant.company_id,
    )
    decoded = [json.loads(row[0]) for row in bodies]
    assert {body["webhookType"] for body in decoded} == {"booking_created"}
    assert "Erased" in json.dumps(decoded)
    # the guest's own booking keeps Grace, without her guest
    grace = await fetch(
        settings,
        "SELECT bringalong_emails::text FROM attendee WHERE company_id = $1"
        " AND email = 'grace@example.test'",
        side_a.tenant.company_id,
    )
    assert [row[0] for row in grace] == ["[]"]
    # the time stays blocked: status and times unchanged, a new booking there is refused
    assert (
        await fetch(
            settings,
            "SELECT id, status, start_at, end_at FROM appointment"
            " WHERE company_id = $1 ORDER BY id",
            side_a.tenant.company_id,
        )
        == statuses
    )
    await book(client, side_a, mt, at(10), expect=409)
    # the other company's Ada is untouched
    assert "attendee" in " ".join(await mentions(settings, side_b, ADA))

    again = await client.post(ROUTE, json={"email": ADA}, headers=side_a.tenant.headers())
    assert again.status_code == 200
    assert again.json() == {"erasedAppointments": 0}


async def test_a_bad_email_is_a_400_naming_it(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    for body in ({"email": "not-an-address"}, {"email": ""}, {"email": 5}):
        response = await client.post(ROUTE, json=body, headers=side_a.tenant.headers())
        assert response.status_code == 400, response.text
        error: dict[str, Any] = response.json()["errors"][0]
        assert error["field"] == "email", response.json()
    assert await mentions(settings, side_a, ADA) != []  # nothing changed


async def test_a_member_may_not_erase(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    headers = {"authorization": f"Bearer {side_a.account_pat.token}"}
    response = await client.post(ROUTE, json={"email": ADA}, headers=headers)
    assert response.status_code == 403, response.text
    assert await mentions(settings, side_a, ADA) != []
