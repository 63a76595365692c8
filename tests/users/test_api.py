"""/v4/user: list, read, update, delete and their permission rules."""

import uuid

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.factories import Side, make_pat, make_user


async def test_list_users_pages_and_filters(
    client: AsyncTestClient[Litestar], side_a: Side, side_b: Side
) -> None:
    key = side_a.tenant.headers()
    everyone = (await client.get("/v4/user", headers=key)).json()
    assert everyone["total"] == 3  # owner, member, admin
    assert everyone["count"] == 3
    assert everyone["offset"] == 0
    assert str(side_b.member_id) not in str(everyone)
    page = (await client.get("/v4/user?limit=1&offset=1", headers=key)).json()
    assert (page["total"], page["count"], page["offset"]) == (3, 1, 1)
    assert page["users"][0]["id"] == everyone["users"][1]["id"]
    platform = (await client.get("/v4/user?userType=api-platform", headers=key)).json()
    assert {u["id"] for u in platform["users"]} == {str(side_a.member_id), str(side_a.admin_id)}
    for bad in ("limit=0", "limit=101", "offset=-1", "userType=robot"):
        assert (await client.get(f"/v4/user?{bad}", headers=key)).status_code == 400, bad


async def test_member_pat_cannot_list_but_admin_pat_can(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    member = {"authorization": f"Bearer {side_a.account_pat.token}"}
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    assert (await client.get("/v4/user", headers=member)).status_code == 403
    assert (await client.get("/v4/user", headers=admin)).json()["total"] == 3


async def test_user_reads_need_the_account_scope(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    """A token without `account` reads no other user, as it changes none: 403 naming the scope.
    `/me` answers any valid token: it is how a client checks its credential works."""
    admin_scheduling = await make_pat(settings, side_a.tenant, side_a.admin_id, ("scheduling",))
    tokens = (side_a.scheduling_pat.token, admin_scheduling.token)
    for path in (f"/v4/user/{side_a.member_id}", "/v4/user"):
        for token in tokens:
            denied = await client.get(path, headers={"authorization": f"Bearer {token}"})
            assert (denied.status_code, denied.json()["message"]) == (
                403,
                "Missing scope: account",
            ), path
    patch = await client.patch(
        f"/v4/user/{side_a.member_id}",
        json={"title": "x"},
        headers={"authorization": f"Bearer {side_a.scheduling_pat.token}"},
    )
    assert (patch.status_code, patch.json()["message"]) == (403, "Missing scope: account")
    for token in tokens:
        me = await client.get("/v4/user/me", headers={"authorization": f"Bearer {token}"})
        assert me.status_code == 200
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    assert (await client.get("/v4/user", headers=admin)).status_code == 200
    member = {"authorization": f"Bearer {side_a.account_pat.token}"}
    assert (await client.get(f"/v4/user/{side_a.member_id}", headers=member)).status_code == 200


async def test_profile_update_rules(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    own = {"authorization": f"Bearer {side_a.account_pat.token}"}
    url = f"/v4/user/{side_a.member_id}"
    changed = await client.patch(
        url,
        json={"title": "Dr.", "timeFormat": "24h", "weekStart": "monday", "company": "Clinic"},
        headers=own,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["title"], changed.json()["timeFormat"], changed.json()["company"]) == (
        "Dr.",
        "24h",
        "Clinic",
    )
    other = await client.patch(f"/v4/user/{side_a.admin_id}", json={"title": "x"}, headers=own)
    assert other.status_code == 403
    scheduling_only = {"authorization": f"Bearer {side_a.scheduling_pat.token}"}
    assert (
        await client.patch(url, json={"title": "x"}, headers=scheduling_only)
    ).status_code == 403
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    assert (await client.patch(url, json={"familyName": "Meier"}, headers=admin)).status_code == 200
    empty = await client.patch(url, json={}, headers=own)  # nothing to change: the user as is
    assert empty.status_code == 200
    assert empty.json()["familyName"] == "Meier"
    email = await client.patch(url, json={"email": "new@x.test"}, headers=own)
    assert email.status_code == 400
    assert email.json()["errors"] == [{"field": "email", "message": "Unknown field"}]
    bad = await client.patch(url, json={"timezone": "Nope/Nope", "givenName": ""}, headers=own)
    assert {e["field"] for e in bad.json()["errors"]} == {"timezone", "givenName"}


async def test_slug_change_is_taken_as_sent_and_unique(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    key = side_a.tenant.headers()
    renamed = await client.patch(
        f"/v4/user/{side_a.member_id}", json={"slug": "dr-who-clinic"}, headers=key
    )
    assert renamed.json()["slug"] == "dr-who-clinic"
    spaced = await client.patch(
        f"/v4/user/{side_a.admin_id}", json={"slug": "Dr Who Clinic"}, headers=key
    )
    assert spaced.status_code == 400
    assert spaced.json()["errors"][0]["field"] == "slug"
    taken = await client.patch(
        f"/v4/user/{side_a.admin_id}", json={"slug": "dr-who-clinic"}, headers=key
    )
    assert taken.status_code == 409
    short = await client.patch(f"/v4/user/{side_a.admin_id}", json={"slug": "ab"}, headers=key)
    assert short.status_code == 400


async def test_delete_rules_and_effects(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    key = side_a.tenant.headers()
    owner_delete = await client.delete(f"/v4/user/{side_a.tenant.owner_id}", headers=key)
    assert owner_delete.status_code == 403
    self_delete = await client.delete(
        f"/v4/user/{side_a.admin_id}", headers=side_a.tenant.headers(side_a.admin_id)
    )
    assert self_delete.status_code == 403
    admin_pat = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    assert (
        await client.delete(f"/v4/user/{side_a.member_id}", headers=admin_pat)
    ).status_code == 403

    member_pat = {"authorization": f"Bearer {side_a.account_pat.token}"}
    assert (await client.get("/v4/user/me", headers=member_pat)).status_code == 200
    slug = (await client.get(f"/v4/user/{side_a.member_id}", headers=key)).json()["slug"]
    deleted = await client.delete(f"/v4/user/{side_a.member_id}", headers=key)
    assert (deleted.status_code, deleted.json()) == (200, {"message": "User deleted successfully"})
    assert (await client.get("/v4/user/me", headers=member_pat)).status_code == 401
    assert (await client.get(f"/v4/user/{side_a.member_id}", headers=key)).status_code == 404
    reuse = await client.patch(f"/v4/user/{side_a.admin_id}", json={"slug": slug}, headers=key)
    assert reuse.status_code == 200


async def test_delete_with_transfer_moves_meeting_types(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    key = side_a.tenant.headers()
    created = (
        await client.post(
            "/v4/user",
            json={
                "email": "leaver@x.test",
                "givenName": "Lea",
                "familyName": "Ver",
                "timezone": "UTC",
            },
            headers=key,
        )
    ).json()
    bad_target = await client.request(
        "DELETE",
        f"/v4/user/{created['userId']}",
        json={"targetUserId": str(uuid.uuid4())},
        headers=key,
    )
    assert bad_target.status_code == 400
    moved = await client.request(
        "DELETE",
        f"/v4/user/{created['userId']}",
        json={"targetUserId": str(side_a.admin_id)},
        headers=key,
    )
    assert moved.status_code == 200, moved.text
    as_admin = side_a.tenant.headers(side_a.admin_id)
    meeting_type = await client.get(
        f"/v4/meeting-type/{created['meetingTypeId']}", headers=as_admin
    )
    assert meeting_type.status_code == 200
    assert meeting_type.json()["availabilityId"] == created["availabilityId"]
    conn = await asyncpg.connect(settings.database_url)
    try:
        owner = await conn.fetchval(
            "SELECT user_id FROM meeting_type WHERE id = $1", uuid.UUID(created["meetingTypeId"])
        )
    finally:
        await conn.close()
    assert owner == side_a.admin_id


async def test_other_company_users_are_invisible(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side, side_b: Side
) -> None:
    extra = await make_user(settings, side_b.tenant)
    token = await make_pat(settings, side_b.tenant, extra)
    assert token.token.startswith("rgo-")
    response = await client.get(f"/v4/user/{extra}", headers=side_a.tenant.headers())
    assert response.status_code == 404
    assert response.json()["message"] == "User not found"


async def test_date_and_time_formats_are_cldr_patterns(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    own = {"authorization": f"Bearer {side_a.account_pat.token}"}
    url = f"/v4/user/{side_a.member_id}"
    for date_format, time_format in (
        ("dd/MM/yyyy", "HH:mm"),
        ("d. MMMM yyyy", "H:mm"),
        ("MM-dd-yy", "hh:mm a"),
        ("yyyy.MM.dd", "h:mm a"),
        ("DD.MM.YYYY", "12h"),
    ):
        body = {"dateFormat": date_format, "timeFormat": time_format}
        changed = await client.patch(url, json=body, headers=own)
        assert changed.status_code == 200, (body, changed.text)
        assert (changed.json()["dateFormat"], changed.json()["timeFormat"]) == (
            date_format,
            time_format,
        )
    for body, field in (
        ({"dateFormat": "dd/dd/yyyy"}, "dateFormat"),
        ({"dateFormat": "yyyy"}, "dateFormat"),
        ({"dateFormat": "dd/MM/yyyy HH:mm"}, "dateFormat"),
        ({"dateFormat": "<b>"}, "dateFormat"),
        ({"timeFormat": "HH:mm:ss"}, "timeFormat"),
    ):
        refused = await client.patch(url, json=body, headers=own)
        assert refused.status_code == 400, body
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    kept = await client.get(url, headers=own)
    assert (kept.json()["dateFormat"], kept.json()["timeFormat"]) == ("DD.MM.YYYY", "12h")
