"""Roles: owners and admins make users admins or members, never above their own role, and the
last owner stays an owner."""

import asyncio

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.cli.users import set_role_command
from slotwise.settings import Settings, SettingsError
from tests.support.factories import Side

Client = AsyncTestClient[Litestar]


async def role_of(client: Client, side: Side, user_id: object) -> str:
    response = await client.get(f"/v4/user/{user_id}", headers=side.tenant.headers())
    role: str = response.json()["role"]
    return role


async def test_owners_admins_and_members(client: Client, side_a: Side) -> None:
    key = side_a.tenant.headers()
    admin = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    member = {"authorization": f"Bearer {side_a.account_pat.token}"}
    member_url = f"/v4/user/{side_a.member_id}"
    promoted = await client.patch(member_url, json={"role": "admin"}, headers=key)
    assert promoted.status_code == 200, promoted.text
    assert (promoted.json()["role"], promoted.json()["isAdmin"]) == ("admin", True)
    demoted = await client.patch(member_url, json={"role": "member"}, headers=admin)
    assert demoted.status_code == 200, demoted.text
    assert await role_of(client, side_a, side_a.member_id) == "member"
    # a member cannot promote themselves; an admin cannot touch the owner
    mine = await client.patch(member_url, json={"role": "admin"}, headers=member)
    assert mine.status_code == 403
    owner = await client.patch(
        f"/v4/user/{side_a.tenant.owner_id}", json={"role": "member"}, headers=admin
    )
    assert (owner.status_code, owner.json()["message"]) == (
        403,
        "Cannot change a role above your own",
    )
    assert await role_of(client, side_a, side_a.tenant.owner_id) == "owner"
    for body in ({"role": "owner"}, {"role": "boss"}):
        refused = await client.patch(member_url, json=body, headers=key)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["field"] == "role"


async def test_the_owner_stays_the_owner(client: Client, side_a: Side) -> None:
    """A company has one owner: the owner is always the last one, and stays."""
    owner_url = f"/v4/user/{side_a.tenant.owner_id}"
    for role in ("admin", "member"):
        last = await client.patch(owner_url, json={"role": role}, headers=side_a.tenant.headers())
        assert (last.status_code, last.json()["message"]) == (
            409,
            "The last owner cannot be demoted",
        )
    assert await role_of(client, side_a, side_a.tenant.owner_id) == "owner"


async def test_the_operator_hands_a_company_over(
    client: Client, side_a: Side, settings: Settings
) -> None:
    company = str(side_a.tenant.company_id)
    member = await client.get(f"/v4/user/{side_a.member_id}", headers=side_a.tenant.headers())
    email = member.json()["email"]
    done = await asyncio.to_thread(
        set_role_command, settings, company, email=email.upper(), role="owner"
    )
    assert done == {"companyId": company, "userId": str(side_a.member_id), "role": "owner"}
    assert await role_of(client, side_a, side_a.member_id) == "owner"
    assert await role_of(client, side_a, side_a.tenant.owner_id) == "admin"
    for kwargs, words in (
        ({"email": email, "role": "member"}, "another user the owner"),
        ({"email": "nobody@example.test", "role": "admin"}, "no such user"),
        ({"email": email, "role": "boss"}, "one of owner, admin, member"),
    ):
        with pytest.raises(SettingsError, match=words):
            await asyncio.to_thread(set_role_command, settings, company, **kwargs)
    assert await role_of(client, side_a, side_a.member_id) == "owner"


async def test_the_operator_finds_a_user_by_email_in_the_named_company_only(
    client: Client, settings: Settings, side_a: Side, side_b: Side
) -> None:
    """The address as the user gave it, whatever its case, and never another company's user
    with the same address."""
    user = {"givenName": "Kim", "familyName": "Lee", "timezone": "UTC"}
    for side in (side_b, side_a):
        created = await client.post(
            "/v4/user", json=user | {"email": "Kim.Lee@Shared.test"}, headers=side.tenant.headers()
        )
        assert created.status_code == 201, created.text
    kim_a = created.json()["userId"]
    company = str(side_a.tenant.company_id)
    done = await asyncio.to_thread(
        set_role_command, settings, company, email="kim.lee@shared.test", role="admin"
    )
    assert done["userId"] == kim_a
