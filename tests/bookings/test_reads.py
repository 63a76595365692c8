"""Appointment reads: paging, filters, sorting, who sees what, today and current."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.bookings import BERLIN, Client, at, book, make_type
from tests.support.factories import Side


async def test_paginated_filters_sorting_and_paging(client: Client, side_a: Side) -> None:
    mt = await make_type(client, side_a)
    other_type = await make_type(client, side_a, meetingInfo={"name": "Other"})
    ids = []
    for hour, name in ((11, "Grace Hopper"), (9, "Ada Lovelace"), (10, "Alan Turing")):
        email = name.split()[0].lower() + "@example.test"
        created = await book(
            client, side_a, mt, at(hour), attendee={"email": email, "fullname": name}
        )
        ids.append(created["appointmentId"])
    headers = side_a.tenant.headers(side_a.member_id)
    cancelled = await client.post(
        f"/v4/appointment/{ids[0]}/cancel", json={"reason": "ill"}, headers=headers
    )
    assert cancelled.status_code == 200

    async def page(query: str) -> dict[str, Any]:
        response = await client.get(f"/v4/appointment/paginated?{query}", headers=headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def names(body: dict[str, Any]) -> list[str]:
        return [a["attendees"][0]["firstname"] for a in body["appointments"]]

    everything = await page(f"meetingTypeId={mt['id']}")
    assert names(everything) == ["Ada", "Alan", "Grace"]
    assert (everything["total"], everything["page"], everything["pageSize"]) == (3, 0, 20)
    second = await page(f"meetingTypeId={mt['id']}&page=1&pageSize=2")
    assert (names(second), second["total"], second["pageSize"]) == (["Grace"], 3, 2)
    assert (await page(f"meetingTypeId={mt['id']}&page=0&limit=1"))["pageSize"] == 1
    assert names(await page(f"meetingTypeId={mt['id']}&status=cancelled")) == ["Grace"]
    assert names(await page(f"meetingTypeId={mt['id']}&status=confirmed")) == ["Ada", "Alan"]
    mine = f"meetingTypeId={mt['id']}"
    assert names(await page(f"{mine}&search=TURING")) == ["Alan"]
    assert names(await page(f"{mine}&search=grace%40example")) == ["Grace"]
    assert names(await page(f"{mine}&search=ada%20love")) == ["Ada"]
    assert (await page(f"{mine}&search=%25"))["total"] == 0
    assert (await page(f"meetingTypeId={other_type['id']}"))["total"] == 0
    window = f"start={at(9, 15).isoformat()}&end={at(10, 45).isoformat()}".replace("+", "%2B")
    assert names(await page(f"meetingTypeId={mt['id']}&{window}")) == ["Ada", "Alan"]
    descending = await page(f"meetingTypeId={mt['id']}&sortDirection=DESC")
    assert names(descending) == ["Grace", "Alan", "Ada"]
    by_creation = await page(f"meetingTypeId={mt['id']}&sortBy=appointment.createdAt")
    assert [a["id"] for a in by_creation["appointments"]] == ids
    for bad in ("pageSize=0", "pageSize=101", "page=-1", "sortBy=start", "status=expired"):
        response = await client.get(f"/v4/appointment/paginated?{bad}", headers=headers)
        assert response.status_code == 400, bad
    naive = await client.get("/v4/appointment/paginated?start=2030-01-01T00:00:00", headers=headers)
    assert [e["field"] for e in naive.json()["errors"]] == ["start"]
    # a number is no date-time (a lenient reading made it a Unix timestamp)
    number = await client.get("/v4/appointment/paginated?start=0.5&end=now", headers=headers)
    assert number.status_code == 400
    assert [e["field"] for e in number.json()["errors"]] == ["start", "end"]


async def test_members_read_only_their_own(client: Client, side_a: Side) -> None:
    admins_type = await make_type(client, side_a, user_id=side_a.admin_id)
    theirs = await book(client, side_a, admins_type, at(10))
    url = f"/v4/appointment/{theirs['appointmentId']}"
    member = {"authorization": f"Bearer {side_a.scheduling_pat.token}"}
    assert (await client.get(url, headers=member)).status_code == 404
    for method, route, body in (
        ("GET", f"{url}/ics", None),
        ("POST", f"{url}/cancel", {}),
        ("POST", f"{url}/reschedule", {"start": at(11).isoformat()}),
        ("DELETE", url, None),
    ):
        response = await client.request(method, route, headers=member, json=body)
        assert response.status_code == 404, route
    listing = await client.get(
        f"/v4/appointment/paginated?userId={side_a.admin_id}", headers=member
    )
    assert listing.status_code == 403
    own = await client.get("/v4/appointment/paginated", headers=member)
    assert theirs["appointmentId"] not in own.text
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    assert (await client.get(url, headers=admin)).status_code == 200
    as_member = side_a.tenant.headers(side_a.member_id)  # a platform key reaches everything
    assert (await client.get(url, headers=as_member)).status_code == 200
    by_admin = await client.get(
        f"/v4/appointment/paginated?userId={side_a.admin_id}", headers=as_member
    )
    assert [a["id"] for a in by_admin.json()["appointments"]] == [theirs["appointmentId"]]


async def test_today_and_current(client: Client, side_a: Side) -> None:
    headers = side_a.tenant.headers(side_a.member_id)
    none = await client.get("/v4/appointment/current", headers=headers)
    assert (none.status_code, none.json()) == (200, None)
    mt = await make_type(client, side_a)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    running = await book(client, side_a, mt, start, ignoreAvailability=True)
    await book(client, side_a, mt, start + timedelta(days=3), ignoreAvailability=True)
    current = await client.get("/v4/appointment/current", headers=headers)
    assert current.json()["id"] == running["appointmentId"]
    today = await client.get("/v4/appointment/today", headers=headers)
    assert today.status_code == 200
    ids = [a["id"] for a in today.json()]
    if start.astimezone(BERLIN).date() == datetime.now(BERLIN).date():
        assert ids == [running["appointmentId"]]
    else:  # just after midnight in Berlin: it started yesterday
        assert ids == []


@pytest.mark.parametrize("path", ["/v4/appointment", "/v4/appointment/"])
async def test_no_bare_appointment_collection(client: Client, side_a: Side, path: str) -> None:
    response = await client.get(path, headers=side_a.tenant.headers(side_a.member_id))
    assert response.status_code in (404, 405)
