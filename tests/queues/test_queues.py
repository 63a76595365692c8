"""meetergo's queue routes: membership, priorities, capacities, groups, the next hosts."""

import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.queues.conftest import Team, patch_queue
from tests.support.bookings import at, book, make_type
from tests.support.factories import Side, make_pat, make_user


async def test_the_first_change_makes_a_team_type(
    client: AsyncTestClient[Litestar], team: Team
) -> None:
    headers = team.side.tenant.headers()
    found = await client.get(
        f"/v4/meeting-type/{team.id}", headers=team.side.tenant.headers(team.side.member_id)
    )
    assert found.json()["queueId"] == team.queue_id
    assert found.json()["calculationMethod"] == "anyone"
    queue = (await client.get(f"/v4/queue/{team.queue_id}", headers=headers)).json()
    assert queue["meetingTypeId"] == team.id
    assert queue["workspaceId"] == str(team.side.tenant.company_id)
    assert (queue["type"], queue["distributionPeriod"]) == ("simpleRoundRobin", "month")
    assert queue["userIds"] == sorted(str(h) for h in team.hosts)
    assert {u["priority"] for u in queue["users"]} == {2}
    listed = await client.get(f"/v4/queue/workspace/{team.side.tenant.company_id}", headers=headers)
    # the side's own team type has a queue too
    assert sorted(q["id"] for q in listed.json()) == sorted(
        [team.queue_id, str(team.side.team.queue_id)]
    )


async def test_toggling_a_member_removes_them(
    client: AsyncTestClient[Litestar], team: Team
) -> None:
    queue = await patch_queue(client, team, team.id, userId=str(team.hosts[1]))
    assert str(team.hosts[1]) not in queue["userIds"]
    assert len(queue["userIds"]) == 2


async def test_priorities_capacities_and_settings(
    client: AsyncTestClient[Litestar], team: Team
) -> None:
    queue = await patch_queue(
        client,
        team,
        team.id,
        userPriorities=[{"userId": str(team.hosts[2]), "priority": 3}],
        userCapacities=[{"userId": str(team.hosts[1]), "capacity": 4}],
        type="equalDistribution",
        maxLeadThreshold=2,
        distributionPeriod="week",
        prioritizeNearTermAvailability=True,
        calculationMethod="everyone",
    )
    users = {u["userId"]: u for u in queue["users"]}
    assert users[str(team.hosts[2])]["priority"] == 3
    assert users[str(team.hosts[1])]["capacity"] == 4
    assert (queue["type"], queue["maxLeadThreshold"], queue["distributionPeriod"]) == (
        "equalDistribution",
        2,
        "week",
    )
    assert queue["prioritizeNearTermAvailability"] is True
    assert queue["calculationMethod"] == "everyone"
    cleared = await patch_queue(
        client, team, team.id, userCapacities=[{"userId": str(team.hosts[1]), "capacity": None}]
    )
    assert {u["userId"]: u for u in cleared["users"]}[str(team.hosts[1])]["capacity"] is None


async def test_bad_changes_name_the_field_and_change_nothing(
    client: AsyncTestClient[Litestar], settings: Settings, team: Team
) -> None:
    headers = team.side.tenant.headers()
    url = f"/v4/queue/meeting-type/{team.id}"
    outsider = await make_user(settings, team.side.tenant, given_name="Out")
    cases = [
        ({"userPriorities": [{"userId": str(team.hosts[0]), "priority": 4}]}, "userPriorities"),
        ({"userCapacities": [{"userId": str(outsider), "capacity": 2}]}, "userCapacities"),
        ({"userId": str(uuid.uuid4())}, "userId"),
        ({"type": "lottery"}, "type"),
        ({"maxLeadThreshold": 0}, "maxLeadThreshold"),
        ({"distributionPeriod": "year"}, "distributionPeriod"),
        ({"calculationMethod": "some"}, "calculationMethod"),
    ]
    before = (await client.get(f"/v4/queue/{team.queue_id}", headers=headers)).json()
    for body, field in cases:
        response = await client.patch(url, json=body, headers=headers)
        assert response.status_code == 400, (body, response.text)
        assert field in response.text, (body, response.text)
    after = (await client.get(f"/v4/queue/{team.queue_id}", headers=headers)).json()
    assert after == before


async def test_only_the_owner_and_admins_change_a_queue(
    client: AsyncTestClient[Litestar], settings: Settings, team: Team
) -> None:
    colleague = team.hosts[1]
    pat = await make_pat(settings, team.side.tenant, colleague, ("scheduling",))
    url = f"/v4/queue/meeting-type/{team.id}"
    headers = {"Authorization": f"Bearer {pat.token}"}
    refused = await client.patch(url, json={"type": "equalDistribution"}, headers=headers)
    assert refused.status_code == 403, refused.text
    # reading is open to colleagues
    assert (await client.get(f"/v4/queue/{team.queue_id}", headers=headers)).status_code == 200
    admin = {"Authorization": f"Bearer {team.side.admin_pat.token}"}
    allowed = await client.patch(url, json={"type": "equalDistribution"}, headers=admin)
    assert allowed.status_code == 200, allowed.text


async def test_another_workspace_is_not_found(
    client: AsyncTestClient[Litestar], team: Team, side_b: Side
) -> None:
    headers = team.side.tenant.headers()
    other = await client.get(f"/v4/queue/workspace/{side_b.tenant.company_id}", headers=headers)
    assert other.status_code == 404
    foreign = await client.get(f"/v4/queue/{team.queue_id}", headers=side_b.tenant.headers())
    assert foreign.status_code == 404


async def test_groups_host_together(client: AsyncTestClient[Litestar], team: Team) -> None:
    headers = team.side.tenant.headers()
    created = await client.post(
        "/v4/queue-user-group", json={"queueId": team.queue_id, "name": "Pair"}, headers=headers
    )
    assert created.status_code == 201, created.text
    group = created.json()
    assert (group["name"], group["capacity"], group["userIds"]) == ("Pair", 1, [])
    url = f"/v4/queue-user-group/{group['id']}"
    for host in team.hosts[1:]:
        response = await client.patch(url, json={"userId": str(host)}, headers=headers)
        assert response.status_code == 200, response.text
    lead = await client.patch(
        url, json={"mainGroupHostId": str(team.hosts[2]), "capacity": 5}, headers=headers
    )
    assert lead.json()["mainGroupHostId"] == str(team.hosts[2])
    assert sorted(lead.json()["userIds"]) == sorted(str(h) for h in team.hosts[1:])
    outsider = await client.patch(url, json={"userId": str(uuid.uuid4())}, headers=headers)
    assert outsider.status_code == 400
    assert "userId" in outsider.text
    missing = await client.post(
        "/v4/queue-user-group", json={"queueId": str(uuid.uuid4()), "name": "X"}, headers=headers
    )
    assert missing.status_code == 404
    assert "Queue not found" in missing.text
    # the group is one unit: the next hosts are the owner and the pair
    following = (await client.get(f"/v4/queue/{team.queue_id}/next", headers=headers)).json()
    units = sorted(sorted(h["userIds"]) for h in following["nextHosts"])
    assert units == sorted([[str(team.hosts[0])], sorted(str(h) for h in team.hosts[1:])])
    # a booking the group takes blocks both of its members
    for _ in range(2):  # the owner and the pair, in whichever order
        booked = await book(client, team.side, team.meeting_type, at(10))
    admin = team.side.tenant.headers(team.side.admin_id)
    appointment = await client.get(f"/v4/appointment/{booked['appointmentId']}", headers=admin)
    hosts = {str(h) for h in appointment.json()["hostIds"]}
    assert hosts in ({str(team.hosts[0])}, {str(h) for h in team.hosts[1:]})
    # leaving the queue leaves the group
    await patch_queue(client, team, team.id, userId=str(team.hosts[1]))
    queue = (await client.get(f"/v4/queue/{team.queue_id}", headers=headers)).json()
    assert queue["groups"][0]["userIds"] == [str(team.hosts[2])]


async def test_next_hosts_follow_capacity_and_turns(
    client: AsyncTestClient[Litestar], team: Team
) -> None:
    headers = team.side.tenant.headers()
    await patch_queue(
        client, team, team.id, userCapacities=[{"userId": str(team.hosts[0]), "capacity": 1}]
    )
    first = (await client.get(f"/v4/queue/{team.queue_id}/next", headers=headers)).json()
    assert len(first["nextHosts"]) == 3
    booked = await book(client, team.side, team.meeting_type, at(10))
    chosen = booked["queueBookingInfo"]["hostId"]
    following = (await client.get(f"/v4/queue/{team.queue_id}/next", headers=headers)).json()
    order = [h["userIds"][0] for h in following["nextHosts"]]
    # whoever took the booking goes to the back (or out, at capacity)
    assert order[-1] == chosen or chosen not in order
    if chosen == str(team.hosts[0]):
        assert chosen not in order


async def test_a_single_host_type_has_no_queue(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    mt = await make_type(client, side_a)
    assert mt["queueId"] is None
    assert mt["calculationMethod"] is None
