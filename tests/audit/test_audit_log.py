"""The audit log: a successful change writes one entry in its own transaction (ids only), a
failed one none; entries cannot be changed; the log reads newest first, filtered and paged,
by owners, admins and platform keys of its own company only."""

import uuid
from typing import Any

import asyncpg
import pytest

from slotwise.settings import Settings
from tests.support.bookings import Client, at, book, fetch, make_type
from tests.support.factories import Side

COLUMNS = (
    "company_id, credential_id, credential_kind, actor_user_id, action, resource_type,"
    " resource_id, request_id, client_address, created_at"
)


async def _entries(settings: Settings, **where: object) -> list[asyncpg.Record]:
    clause = " AND ".join(f"{name} = ${i}" for i, name in enumerate(where, 1)) or "true"
    sql = f"SELECT {COLUMNS} FROM audit_log WHERE {clause} ORDER BY created_at, id"  # noqa: S608 - column names are the test's own
    return await fetch(settings, sql, *where.values())


async def _log(client: Client, side: Side, query: str = "") -> Any:
    response = await client.get(f"/v4/audit-log{query}", headers=side.tenant.headers())
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_platform_key_change_is_recorded_with_who_what_and_where(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = side_a.tenant.headers(side_a.member_id) | {"x-request-id": "req-audit-1"}
    response = await client.patch(
        f"/v4/user/{side_a.member_id}", json={"title": "Dr."}, headers=headers
    )
    assert response.status_code == 200, response.text
    (entry,) = await _entries(settings, action="user.update")
    assert dict(entry) | {"created_at": None} == {
        "company_id": side_a.tenant.company_id,
        "credential_id": side_a.tenant.key_id,
        "credential_kind": "api_key",
        "actor_user_id": side_a.member_id,
        "action": "user.update",
        "resource_type": "user",
        "resource_id": side_a.member_id,
        "request_id": "req-audit-1",
        "client_address": "testclient",
        "created_at": None,
    }


async def test_a_created_resource_is_named_by_its_new_id_and_a_pat_by_its_token(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    created = await client.post(
        "/v4/webhooks",
        json={"endpoint": "https://hooks.example.test/a", "eventTypes": ["booking_created"]},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    deleted = await client.delete(f"/v4/webhooks/{created.json()['id']}", headers=headers)
    assert deleted.status_code == 204
    rows = await _entries(settings, resource_type="webhook")
    assert [(r["action"], str(r["resource_id"])) for r in rows] == [
        ("webhook.create", created.json()["id"]),
        ("webhook.delete", created.json()["id"]),
    ]
    assert {(r["credential_kind"], r["credential_id"], r["actor_user_id"]) for r in rows} == {
        ("pat", side_a.admin_pat.id, side_a.admin_id)
    }


async def test_bookings_and_the_invitee_link_are_recorded_without_attendee_data(
    client: Client, settings: Settings, side_a: Side
) -> None:
    mt = await make_type(client, side_a)
    created = await book(client, side_a, mt, at(10))
    appointment_id, secret = created["appointmentId"], created["secret"]
    cancelled = await client.post(
        f"/v4/public/appointment/{appointment_id}/cancel",
        json={"secret": secret, "reason": "Sorry"},
    )
    assert cancelled.status_code == 200, cancelled.text
    rows = await _entries(settings, resource_id=uuid.UUID(appointment_id))
    assert [(r["action"], r["credential_kind"]) for r in rows] == [
        ("booking.create", "api_key"),
        ("booking.cancel", "invitee_link"),
    ]
    invitee = rows[1]
    assert invitee["company_id"] == side_a.tenant.company_id
    assert invitee["credential_id"] is None
    assert invitee["actor_user_id"] is None
    everything = " ".join(str(value) for row in await _entries(settings) for value in row)
    for private in (secret, "ada@example.test", "Ada", "Lovelace", "Sorry"):
        assert private not in everything


async def test_a_failed_request_writes_no_entry(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = side_a.tenant.headers(side_a.member_id)
    refused = await client.patch(
        f"/v4/user/{side_a.member_id}", json={"timezone": "Mars/Olympus"}, headers=headers
    )
    assert refused.status_code == 400
    mt = await make_type(client, side_a)
    await book(client, side_a, mt, at(10))
    taken = await client.post(
        "/v4/booking",
        json={
            "meetingTypeId": mt["id"],
            "start": at(10).isoformat(),
            "attendee": {"email": "b@example.test", "firstname": "B", "lastname": "C"},
        },
        headers=side_a.tenant.headers(),
    )
    assert taken.status_code == 409  # the appointment row was flushed, then rolled back
    actions = [r["action"] for r in await _entries(settings)]
    assert actions == ["meeting_type.create", "booking.create"]


async def test_a_replayed_request_changes_nothing_and_is_not_recorded_again(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = side_a.tenant.headers() | {"Idempotency-Key": "audit-replay-1"}
    body = {"endpoint": "https://hooks.example.test/r", "eventTypes": ["booking_created"]}
    first = await client.post("/v4/webhooks", json=body, headers=headers)
    again = await client.post("/v4/webhooks", json=body, headers=headers)
    assert (first.status_code, again.headers.get("idempotent-replayed")) == (201, "true")
    assert len(await _entries(settings, action="webhook.create")) == 1


async def test_the_database_refuses_to_change_or_delete_an_entry(
    client: Client, settings: Settings, side_a: Side
) -> None:
    await client.patch(
        "/v4/company/branding", json={"primaryColor": "#123456"}, headers=side_a.tenant.headers()
    )
    conn = await asyncpg.connect(settings.database_url)
    try:
        for sql in (
            "UPDATE audit_log SET action = 'user.delete'",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="cannot be changed"):
                await conn.execute(sql)
    finally:
        await conn.close()
    assert [r["action"] for r in await _entries(settings)] == ["company.branding_update"]


async def test_the_log_reads_newest_first_filtered_and_paged(
    client: Client, settings: Settings, side_a: Side
) -> None:
    member = side_a.tenant.headers(side_a.member_id)
    admin_pat = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    for title in ("A", "B", "C"):
        await client.patch(f"/v4/user/{side_a.member_id}", json={"title": title}, headers=member)
    await client.patch("/v4/company/branding", json={"primaryColor": "#654321"}, headers=admin_pat)
    everything = await _log(client, side_a)
    assert [e["action"] for e in everything["entries"]] == [
        "company.branding_update",
        *["user.update"] * 3,
    ]
    assert (everything["total"], everything["page"], everything["pageSize"]) == (4, 0, 20)
    newest = everything["entries"][0]
    assert newest["actorId"] == str(side_a.admin_id)
    assert newest["credentialId"] == str(side_a.admin_pat.id)
    assert newest["resourceId"] == str(side_a.tenant.company_id)
    second = await _log(client, side_a, "?pageSize=2&page=1")
    assert second["entries"] == everything["entries"][2:]
    assert second["total"] == 4
    users = await _log(client, side_a, "?resourceType=user")
    assert users["total"] == 3
    by_admin = await _log(client, side_a, f"?actorId={side_a.admin_id}")
    assert [e["id"] for e in by_admin["entries"]] == [newest["id"]]
    oldest = everything["entries"][-1]["createdAt"]
    before = await _log(client, side_a, f"?to={oldest.replace('+00:00', 'Z')}")
    assert before["total"] == 0
    since = await _log(client, side_a, f"?from={newest['createdAt']}")
    assert newest["id"] in [e["id"] for e in since["entries"]]
    future = await _log(client, side_a, "?from=2199-01-01T00:00:00Z")
    assert future == {"entries": [], "total": 0, "page": 0, "pageSize": 20}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?from=yesterday", "from"),
        ("?to=2030-01-01", "to"),
        ("?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z", "to"),
        ("?actorId=someone", "actorId"),
        ("?resourceType=attendee", "resourceType"),
        ("?pageSize=0", "pageSize"),
        ("?page=-1", "page"),
    ],
)
async def test_a_bad_filter_is_400_naming_it(
    client: Client, side_a: Side, query: str, field: str
) -> None:
    response = await client.get(f"/v4/audit-log{query}", headers=side_a.tenant.headers())
    assert response.status_code == 400, response.text
    assert field in response.text


async def test_member_tokens_cannot_read_it_and_another_company_sees_none_of_it(
    client: Client, side_a: Side, side_b: Side
) -> None:
    await client.patch(
        f"/v4/user/{side_a.member_id}",
        json={"title": "Dr."},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    member = await client.get(
        "/v4/audit-log", headers={"authorization": f"Bearer {side_a.account_pat.token}"}
    )
    no_scope = await client.get(
        "/v4/audit-log", headers={"authorization": f"Bearer {side_a.scheduling_pat.token}"}
    )
    assert member.status_code == no_scope.status_code == 403
    assert member.json()["message"] == "Admin access required"
    assert (await _log(client, side_a))["total"] == 1
    assert await _log(client, side_b) == {"entries": [], "total": 0, "page": 0, "pageSize": 20}
