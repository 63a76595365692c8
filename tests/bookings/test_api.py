"""POST /v4/booking over HTTP: the answer, body rules, the slot check, idempotency."""

import uuid
from datetime import timedelta
from typing import Any

from litestar import Litestar
from sqlalchemy import event

from slotwise.db.session import ENGINE
from slotwise.settings import Settings
from tests.support.bookings import (
    Client,
    Recorder,
    at,
    book,
    booking,
    fetch,
    make_type,
    utc,
)
from tests.support.factories import Side, attendee_body, make_pat
from tests.support.idempotency import assert_stored_sealed


async def test_booking_returns_id_and_secret_and_reads_back(
    client: Client, side_a: Side, emitted: Recorder
) -> None:
    mt = await make_type(client, side_a)
    created = await book(client, side_a, mt, at(10), channel="google", location="Room 1")
    assert set(created) == {"appointmentId", "secret"}
    assert len(created["secret"]) >= 43
    response = await client.get(
        f"/v4/appointment/{created['appointmentId']}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert response.status_code == 200, response.text
    appointment = response.json()
    assert (appointment["start"], appointment["end"]) == (utc(at(10)), utc(at(10, 30)))
    assert (appointment["status"], appointment["isCancelled"]) == ("confirmed", False)
    assert (appointment["rescheduledAt"], appointment["rescheduleCount"]) == (None, 0)
    assert appointment["meetingTypeId"] == mt["id"]
    assert appointment["hostIds"] == [str(side_a.member_id)]
    assert appointment["hosts"][0]["id"] == str(side_a.member_id)
    assert set(appointment["hosts"][0]) == {
        "id",
        "email",
        "givenName",
        "familyName",
        "fullName",
        "slug",
    }
    assert appointment["companyId"] == str(side_a.tenant.company_id)
    assert (appointment["channel"], appointment["location"]) == ("google", "Room 1")
    assert appointment["meetingInfo"]["name"] == "Consult"
    assert appointment["meetingInfo"]["duration"] == 30
    [attendee] = appointment["attendees"]
    assert appointment["attendeeIds"] == [attendee["id"]]
    assert attendee | {"id": None} == {
        "id": None,
        "email": "ada@example.test",
        "firstname": "Ada",
        "lastname": "Lovelace",
        "fullname": "Ada Lovelace",
        "phone": None,
        "timezone": None,
        "language": None,
        "receiveReminders": True,
        "notes": {},
        "customFieldValues": {},
        "dataPolicyAccepted": None,
        "bringalongEmails": [],
    }
    assert appointment["cancel"] is None
    assert "secret" not in response.text
    assert emitted.types == ["booking_created"]
    payload = emitted.last("booking_created")
    assert payload["webhookType"] == "booking_created"
    assert payload["id"] == created["appointmentId"]
    assert payload["meetingType"]["id"] == mt["id"]
    assert "secret" not in payload
    assert created["secret"] not in str(payload)


async def test_fullname_is_split_at_the_last_space(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a)
    attendee = {
        "email": "grace@example.test",
        "fullname": "Grace Brewster  Hopper",
        "receiveReminders": False,
        "notes": {"utm_source": "news"},
        "timezone": "America/New_York",
        "language": "en",
        "phone": "+1 555 0100",
        "dataPolicyAccepted": True,
    }
    created = await book(client, side_a, mt, at(10), attendee=attendee)
    response = await client.get(
        f"/v4/appointment/{created['appointmentId']}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    [person] = response.json()["attendees"]
    assert (person["firstname"], person["lastname"]) == ("Grace Brewster", "Hopper")
    assert person["fullname"] == "Grace Brewster Hopper"
    assert (person["receiveReminders"], person["notes"]) == (False, {"utm_source": "news"})
    assert person["dataPolicyAccepted"] is True
    assert (person["timezone"], person["language"], person["phone"]) == (
        "America/New_York",
        "en",
        "+1 555 0100",
    )


def _bad_bodies(mt: dict[str, Any], side: Side) -> list[tuple[dict[str, Any], str]]:
    good = booking(mt, at(10))
    naive = at(10).replace(tzinfo=None).isoformat()
    return [
        (good | {"start": naive}, "start"),
        (good | {"attendee": {"email": "x@example.test"}}, "attendee"),
        (good | {"attendee": {"email": "x@example.test", "firstname": "Only"}}, "attendee"),
        (good | {"attendee": {"email": "x@example.test", "fullname": "   "}}, "attendee"),
        (good | {"attendee": {"fullname": "No Email"}}, "attendee.email"),
        (good | {"attendee": attendee_body(timezone="Mars/Base")}, "attendee.timezone"),
        (good | {"duration": 45}, "duration"),
        (good | {"hostIds": [str(side.admin_id)]}, "hostIds"),
        (good | {"queueless": True}, "queueless"),
        (good | {"channel": "carrier-pigeon"}, "channel"),
    ]


async def test_invalid_bodies_name_the_field(
    client: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a)
    for body, field in _bad_bodies(mt, side_a):
        response = await client.post("/v4/booking", json=body, headers=side_a.tenant.headers())
        assert response.status_code == 400, (field, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (field, response.text)
    rows = await fetch(
        settings, "SELECT id FROM appointment WHERE meeting_type_id = $1", uuid.UUID(mt["id"])
    )
    assert rows == []


async def test_durations_and_host_ids(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a, meetingOptions={"allowedDurations": [60]})
    created = await book(client, side_a, mt, at(10), duration=60, hostIds=[str(side_a.member_id)])
    response = await client.get(
        f"/v4/appointment/{created['appointmentId']}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    body = response.json()
    assert body["end"] == utc(at(11))
    assert body["meetingInfo"]["duration"] == 60


async def test_custom_field_values_are_checked(client: Client, side_a: Side) -> None:
    fields = [
        {"key": "company", "label": "Company", "type": "text", "required": True},
        {"key": "size", "label": "Size", "type": "select", "options": ["S", "M"]},
        {"key": "consent", "label": "Consent", "type": "checkbox", "required": True},
    ]
    mt = await make_type(client, side_a, customFields=fields)
    body = booking(mt, at(10))
    cases = [
        ({}, {"customFieldValues.company", "customFieldValues.consent"}),
        ({"company": "ACME", "consent": True, "size": "XL"}, {"customFieldValues.size"}),
        ({"company": "ACME", "consent": "yes"}, {"customFieldValues.consent"}),
        ({"company": "ACME", "consent": True, "extra": "?"}, {"customFieldValues.extra"}),
    ]
    for values, fields_named in cases:
        response = await client.post(
            "/v4/booking",
            json=body | {"customFieldValues": values},
            headers=side_a.tenant.headers(),
        )
        assert response.status_code == 400, values
        assert {e["field"] for e in response.json()["errors"]} == fields_named
    values = {"company": "ACME", "consent": True, "size": "M"}
    created = await book(client, side_a, mt, at(10), customFieldValues=values)
    response = await client.get(
        f"/v4/appointment/{created['appointmentId']}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert response.json()["attendees"][0]["customFieldValues"] == values


async def test_start_must_be_a_listed_slot(client: Client, side_a: Side, side_b: Side) -> None:
    mt = await make_type(client, side_a)
    for start in (at(20), at(10, 10), at(10) - timedelta(days=7 * 30), at(8, 45)):
        response = await client.post(
            "/v4/booking", json=booking(mt, start), headers=side_a.tenant.headers()
        )
        assert response.status_code == 409, start
        assert response.json() == {
            "statusCode": 409,
            "message": "Slot no longer available",
            "error": "Conflict",
            "code": "slot_unavailable",
        }
    foreign = await make_type(client, side_b)
    response = await client.post(
        "/v4/booking", json=booking(foreign, at(10)), headers=side_a.tenant.headers()
    )
    assert (response.status_code, response.json()["message"]) == (404, "Meeting type not found")


async def test_a_disabled_meeting_type_takes_no_booking(
    client: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a, enabled=False)
    assert mt["enabled"] is False
    for extra in ({}, {"ignoreAvailability": True}):
        response = await client.post(
            "/v4/booking", json=booking(mt, at(10)) | extra, headers=side_a.tenant.headers()
        )
        assert response.status_code == 409, response.text
        assert response.json() == {
            "statusCode": 409,
            "message": "The meeting type is disabled; enable it to take bookings",
            "error": "Conflict",
            "code": "meeting_type_disabled",
        }
    mt_id = uuid.UUID(mt["id"])
    assert (
        await fetch(settings, "SELECT id FROM appointment WHERE meeting_type_id = $1", mt_id) == []
    )
    enabled = await client.patch(
        f"/v4/meeting-type/{mt['id']}",
        json={"enabled": True},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert enabled.status_code == 200, enabled.text
    await book(client, side_a, mt, at(10))


async def test_ignore_availability_lifts_rules_but_never_overlap(
    client: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a)
    evening = await book(client, side_a, mt, at(21), ignoreAvailability=True)
    assert "appointmentId" in evening
    await book(client, side_a, mt, at(10))
    # the slot check is skipped, so only the exclusion constraint (at flush) can refuse this
    overlap = await client.post(
        "/v4/booking",
        json=booking(mt, at(10, 15)) | {"ignoreAvailability": True},
        headers=side_a.tenant.headers(),
    )
    assert overlap.status_code == 409, overlap.text
    assert overlap.json()["code"] == "slot_unavailable"
    rows = await fetch(
        settings,
        "SELECT start_at FROM appointment WHERE meeting_type_id = $1 ORDER BY start_at",
        uuid.UUID(mt["id"]),
    )
    assert [r["start_at"] for r in rows] == [at(10), at(21)]


async def test_ignore_availability_is_for_keys_hosts_and_admins(
    client: Client, settings: Settings, side_a: Side
) -> None:
    admins_type = await make_type(client, side_a, user_id=side_a.admin_id)
    member_pat = {"authorization": f"Bearer {side_a.scheduling_pat.token}"}
    refused = await client.post(
        "/v4/booking",
        json=booking(admins_type, at(21)) | {"ignoreAvailability": True},
        headers=member_pat,
    )
    assert refused.status_code == 403, refused.text
    # the member may still book the admin's listed slots like any invitee
    await book(client, side_a, admins_type, at(10), headers=member_pat)
    admin_pat = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    await book(client, side_a, admins_type, at(21), headers=admin_pat, ignoreAvailability=True)
    own_type = await make_type(client, side_a)
    await book(client, side_a, own_type, at(22), headers=member_pat, ignoreAvailability=True)
    other = await make_pat(settings, side_a.tenant, side_a.admin_id, ("scheduling",))
    as_host = {"authorization": f"Bearer {other.token}"}
    await book(client, side_a, admins_type, at(7), headers=as_host, ignoreAvailability=True)


async def test_idempotent_replay_and_reuse(
    client: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a)
    headers = side_a.tenant.headers() | {"Idempotency-Key": "book-1"}
    first = await client.post("/v4/booking", json=booking(mt, at(10)), headers=headers)
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    replay = await client.post("/v4/booking", json=booking(mt, at(10)), headers=headers)
    assert (replay.status_code, replay.content) == (201, first.content)
    assert replay.headers["idempotent-replayed"] == "true"
    other = await client.post("/v4/booking", json=booking(mt, at(11)), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    rows = await fetch(
        settings,
        "SELECT count(*) AS n FROM appointment WHERE meeting_type_id = $1",
        uuid.UUID(mt["id"]),
    )
    assert rows[0]["n"] == 1
    await assert_stored_sealed(settings, "book-1", first.content, first.json()["secret"])


async def test_a_new_booking_reads_no_attendee_back(
    app: Litestar, client: Client, side_a: Side, emitted: Recorder
) -> None:
    """The attendee it has just added is the one its event and mails name: no query for it."""
    mt = await make_type(client, side_a)
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    engine = ENGINE.of(app.state).sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        attendee = attendee_body()
        await book(client, side_a, mt, at(11), attendee=attendee)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert any(s.startswith("INSERT INTO attendee") for s in sent), sent
    assert not [s for s in sent if s.startswith("SELECT") and "FROM attendee" in s], sent
    (named,) = emitted.last("booking_created")["attendees"]
    assert named["email"] == attendee["email"]
