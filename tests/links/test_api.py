"""One-time booking links: made through the API (alone or with a new meeting type), booking
through one once, and what a used, expired or unknown link answers."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.bookings import at, book, fetch, make_type, monday
from tests.support.factories import Side, attendee_body

Client = AsyncTestClient[Litestar]
BASE = "https://book.example.test/1t/"


async def create_link(
    client: Client, side: Side, meeting_type: dict[str, Any], *, expect: int = 201, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v4/one-time-booking-link/create/{meeting_type['id']}",
        json=body or None,
        headers=side.tenant.headers(side.member_id),
    )
    assert response.status_code == expect, response.text
    answer: dict[str, Any] = response.json()
    return answer


def link_api(link: dict[str, Any]) -> str:
    return f"/v4/public/one-time-link/{link['token']}"


def booking_body(start: datetime, email: str = "ada@example.test") -> dict[str, Any]:
    return {"start": start.isoformat(), "attendee": attendee_body(email)}


async def link_row(settings: Settings, link_id: str) -> Any:
    (row,) = await fetch(settings, "SELECT * FROM one_time_link WHERE id = $1", uuid.UUID(link_id))
    return row


async def appointments(settings: Settings, meeting_type: dict[str, Any]) -> int:
    rows = await fetch(
        settings,
        "SELECT count(*) AS n FROM appointment WHERE meeting_type_id = $1",
        uuid.UUID(meeting_type["id"]),
    )
    return int(rows[0]["n"])


async def test_a_link_expires_in_30_days_by_default_and_keeps_only_a_digest(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a)
    before = datetime.now(UTC)
    link = await create_link(client, side_a, meeting_type)
    assert set(link) == {"id", "url", "link", "token", "meetingTypeId", "expiresAt"}
    assert link["url"] == link["link"] == BASE + link["token"]
    assert link["meetingTypeId"] == meeting_type["id"]
    assert len(link["token"]) == 43  # 32 random bytes, URL-safe
    expires = datetime.fromisoformat(link["expiresAt"])
    assert before + timedelta(days=30) <= expires <= datetime.now(UTC) + timedelta(days=30)
    row = await link_row(settings, link["id"])
    assert row["token_hash"] == hashlib.sha256(link["token"].encode()).digest()
    assert link["token"].encode() not in b"".join(str(v).encode() for v in row.values())
    assert row["created_by"] == side_a.member_id
    assert row["used_at"] is None
    assert row["appointment_id"] is None


async def test_a_custom_expiry_and_an_empty_body(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    link = await create_link(client, side_a, meeting_type, expiresInDays=2)
    expires = datetime.fromisoformat(link["expiresAt"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=2))) < timedelta(minutes=1)
    no_body = await client.post(
        f"/v4/one-time-booking-link/create/{meeting_type['id']}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert no_body.status_code == 201, no_body.text
    assert no_body.json()["token"] != link["token"]


async def test_a_bad_expiry_is_a_400_naming_the_field(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    for value in (0, 366, "7", None):
        response = await client.post(
            f"/v4/one-time-booking-link/create/{meeting_type['id']}",
            json={"expiresInDays": value},
            headers=side_a.tenant.headers(side_a.member_id),
        )
        assert response.status_code == 400, (value, response.text)
        assert [e["field"] for e in response.json()["errors"]] == ["expiresInDays"], value
    unknown = await client.post(
        f"/v4/one-time-booking-link/create/{meeting_type['id']}",
        json={"expires": 3},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert unknown.status_code == 400
    assert "expires" in unknown.text


async def test_another_companys_or_a_deleted_type_is_404_a_disabled_one_409(
    client: Client, side_a: Side, side_b: Side, settings: Settings
) -> None:
    theirs = await make_type(client, side_b)
    response = await client.post(
        f"/v4/one-time-booking-link/create/{theirs['id']}",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert response.status_code == 404
    assert response.json()["message"] == "Meeting type not found"
    ours = await make_type(client, side_a)
    headers = side_a.tenant.headers(side_a.member_id)
    await client.patch(f"/v4/meeting-type/{ours['id']}", json={"enabled": False}, headers=headers)
    disabled = await create_link(client, side_a, ours, expect=409)
    assert disabled["code"] == "meeting_type_disabled"
    await client.delete(f"/v4/meeting-type/{ours['id']}", headers=headers)
    await create_link(client, side_a, ours, expect=404)
    rows = await fetch(settings, "SELECT count(*) AS n FROM one_time_link")
    assert rows[0]["n"] == 0


async def test_a_new_meeting_type_can_come_with_a_link(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a, options={"createOneTimeLink": True})
    link = meeting_type["oneTimeLink"]
    assert set(link) == {"id", "url", "link", "token", "expiresAt"}
    assert link["url"] == link["link"] == BASE + link["token"]
    row = await link_row(settings, link["id"])
    assert str(row["meeting_type_id"]) == meeting_type["id"]
    plain = await make_type(client, side_a, options={"createOneTimeLink": False})
    assert "oneTimeLink" not in plain
    bad = await client.post(
        "/v4/meeting-type",
        json={
            "meetingInfo": {"name": "X", "duration": 30, "channel": "zoom"},
            "options": {"createOneTime": True},
        },
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert bad.status_code == 400
    assert "createOneTime" in bad.text


async def test_a_link_books_once(client: Client, side_a: Side, settings: Settings) -> None:
    meeting_type = await make_type(client, side_a)
    link = await create_link(client, side_a, meeting_type)
    slots = await client.get(f"{link_api(link)}/slots?start={monday()}&end={monday()}")
    assert slots.status_code == 200, slots.text
    assert slots.json()["dates"][0]["spots"][0]["startTime"] == at(9).isoformat()
    first = await client.post(f"{link_api(link)}/book", json=booking_body(at(10)))
    assert first.status_code == 201, first.text
    assert set(first.json()) == {"appointmentId", "manageUrl"}
    row = await link_row(settings, link["id"])
    assert row["used_at"] is not None
    assert str(row["appointment_id"]) == first.json()["appointmentId"]
    again = await client.post(f"{link_api(link)}/book", json=booking_body(at(11), "b@example.test"))
    assert again.status_code == 410, again.text
    assert again.json()["code"] == "link_used"
    assert again.json()["message"] == "This link has already been used"
    assert await appointments(settings, meeting_type) == 1
    used_slots = await client.get(f"{link_api(link)}/slots?start={monday()}&end={monday()}")
    assert used_slots.status_code == 410


async def test_an_expired_link_is_410_and_books_nothing(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a)
    link = await create_link(client, side_a, meeting_type)
    await fetch(
        settings,
        "UPDATE one_time_link SET expires_at = now() - interval '1 minute' WHERE id = $1",
        uuid.UUID(link["id"]),
    )
    response = await client.post(f"{link_api(link)}/book", json=booking_body(at(10)))
    assert response.status_code == 410
    assert response.json()["code"] == "link_expired"
    assert await appointments(settings, meeting_type) == 0
    assert (await link_row(settings, link["id"]))["used_at"] is None


async def test_a_taken_slot_leaves_the_link_usable(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a)
    link = await create_link(client, side_a, meeting_type)
    await book(client, side_a, meeting_type, at(10))
    taken = await client.post(f"{link_api(link)}/book", json=booking_body(at(10)))
    assert taken.status_code == 409, taken.text
    assert taken.json()["code"] == "slot_unavailable"
    assert (await link_row(settings, link["id"]))["used_at"] is None
    booked = await client.post(f"{link_api(link)}/book", json=booking_body(at(11)))
    assert booked.status_code == 201, booked.text
    assert await appointments(settings, meeting_type) == 2


async def test_a_repeated_idempotency_key_replays_instead_of_410(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a)
    link = await create_link(client, side_a, meeting_type)
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = await client.post(f"{link_api(link)}/book", json=booking_body(at(10)), headers=headers)
    again = await client.post(f"{link_api(link)}/book", json=booking_body(at(10)), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert await appointments(settings, meeting_type) == 1


async def test_unknown_tokens_are_404(client: Client) -> None:
    for token in ("nothing-here", "x" * 500):
        response = await client.post(
            f"/v4/public/one-time-link/{token}/book", json=booking_body(at(10))
        )
        assert response.status_code == 404
        assert response.json()["message"] == "Booking link not found"


async def test_a_link_to_a_disabled_type_books_nothing(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a)
    link = await create_link(client, side_a, meeting_type)
    await client.patch(
        f"/v4/meeting-type/{meeting_type['id']}",
        json={"enabled": False},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    response = await client.post(f"{link_api(link)}/book", json=booking_body(at(10)))
    assert response.status_code == 409
    assert response.json()["code"] == "meeting_type_disabled"
    assert (await link_row(settings, link["id"]))["used_at"] is None
    slots = await client.get(f"{link_api(link)}/slots?start={monday()}&end={monday()}")
    assert slots.status_code == 404


async def test_the_audit_log_names_the_link_and_the_booking(
    client: Client, side_a: Side, settings: Settings
) -> None:
    meeting_type = await make_type(client, side_a)
    link = await create_link(client, side_a, meeting_type)
    booked = await client.post(f"{link_api(link)}/book", json=booking_body(at(10)))
    rows = await fetch(
        settings,
        "SELECT action, resource_id, credential_kind FROM audit_log"
        " WHERE action IN ('one_time_link.create', 'booking.create') ORDER BY created_at",
    )
    assert [(r["action"], str(r["resource_id"]), r["credential_kind"]) for r in rows] == [
        ("one_time_link.create", link["id"], "api_key"),
        ("booking.create", booked.json()["appointmentId"], "one_time_link"),
    ]


async def test_the_link_page_books_through_the_link(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    link = await create_link(client, side_a, meeting_type)
    page = await client.get(f"/1t/{link['token']}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f"/v4/public/one-time-link/{link['token']}/book" in page.text
    assert "/v4/public/booking-page/" not in page.text  # the type's public URL stays unsaid
    await client.post(f"{link_api(link)}/book", json=booking_body(at(10)))
    used = await client.get(f"/1t/{link['token']}?lang=de")
    assert used.status_code == 410
    assert "Dieser Link wurde bereits verwendet" in used.text


async def test_the_page_of_a_link_to_a_disabled_type_or_no_link_is_404(
    client: Client, side_a: Side
) -> None:
    meeting_type = await make_type(client, side_a)
    link = await create_link(client, side_a, meeting_type)
    await client.patch(
        f"/v4/meeting-type/{meeting_type['id']}",
        json={"enabled": False},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    for path in (f"/1t/{link['token']}", "/1t/nothing-here"):
        page = await client.get(path)
        assert page.status_code == 404
        assert "Page not found" in page.text
