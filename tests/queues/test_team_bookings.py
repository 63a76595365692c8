"""Team meeting types: slots over the members, the host chosen at booking time, collective
bookings, equal distribution, priorities and turns."""

import json
import uuid
from collections import Counter
from datetime import UTC, timedelta

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.queues.conftest import Team, make_team, patch_queue
from tests.support.bookings import at, book, fetch, monday
from tests.support.factories import Side, attendee_body


async def spots(
    client: AsyncTestClient[Litestar], team: Team, meeting_type_id: str | None = None, **q: str
) -> dict[str, list[str]]:
    """Start (UTC) → the free hosts, on `monday()`."""
    day = monday()
    query = "&".join(f"{k}={v}" for k, v in q.items())
    response = await client.get(
        f"/v4/booking-availability?meetingTypeId={meeting_type_id or team.id}"
        f"&start={day}&end={day}&timezone=UTC&{query}",
        headers=team.side.tenant.headers(),
    )
    assert response.status_code == 200, response.text
    found: dict[str, list[str]] = {}
    for date in response.json()["dates"]:
        for spot in date["spots"]:
            found[spot["startTime"]] = spot.get("hostIds", [])
    return found


def key(hour: int, minute: int = 0) -> str:
    """The startTime the slot list shows (in UTC) for Berlin wall time `hour:minute`."""
    return at(hour, minute).astimezone(UTC).isoformat()


async def hosts_of(settings: Settings, appointment_id: str) -> set[uuid.UUID]:
    rows = await fetch(
        settings,
        "SELECT user_id FROM appointment_host WHERE appointment_id = $1",
        uuid.UUID(appointment_id),
    )
    return {row["user_id"] for row in rows}


async def test_anyone_offers_a_slot_while_one_host_is_free(
    client: AsyncTestClient[Litestar], settings: Settings, team: Team
) -> None:
    ten = key(10)
    assert sorted((await spots(client, team))[ten]) == sorted(str(h) for h in team.hosts)
    chosen = []
    for n in range(3):
        booked = await book(
            client, team.side, team.meeting_type, at(10), attendee=attendee_body(f"a{n}@x.test")
        )
        info = booked["queueBookingInfo"]
        assert info["queueId"] == team.queue_id
        assert info["calculationMethod"] == "anyone"
        chosen.append(info["hostId"])
        left = (await spots(client, team)).get(ten, [])
        assert info["hostId"] not in left
        assert len(left) == 2 - n
    assert sorted(chosen) == sorted(str(h) for h in team.hosts)
    refused = await client.post(
        "/v4/booking",
        json={"meetingTypeId": team.id, "start": at(10).isoformat(), "attendee": attendee_body()},
        headers=team.side.tenant.headers(),
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "slot_unavailable"
    assert ten not in await spots(client, team)


async def test_a_colleagues_own_booking_blocks_them_in_the_team(
    client: AsyncTestClient[Litestar], team: Team
) -> None:
    colleague = team.hosts[1]
    await book(client, team.side, team.own_types[colleague], at(11))
    assert str(colleague) not in (await spots(client, team))[key(11)]
    assert str(colleague) in (await spots(client, team))[key(12)]


async def test_host_ids_narrow_the_team(client: AsyncTestClient[Litestar], team: Team) -> None:
    only = str(team.hosts[2])
    narrowed = await spots(client, team, hostIds=only)
    assert set(narrowed[key(10)]) == {only}
    booked = await book(client, team.side, team.meeting_type, at(10), hostIds=[only])
    assert booked["queueBookingInfo"]["hostId"] == only
    stranger = await client.get(
        f"/v4/booking-availability?meetingTypeId={team.id}&start={monday()}&end={monday()}"
        f"&hostIds={uuid.uuid4()}",
        headers=team.side.tenant.headers(),
    )
    assert stranger.status_code == 400
    assert "hostIds" in stranger.text
    wrong_queue = await client.post(
        "/v4/booking",
        json={
            "meetingTypeId": team.id,
            "start": at(11).isoformat(),
            "attendee": attendee_body(),
            "queueId": str(uuid.uuid4()),
        },
        headers=team.side.tenant.headers(),
    )
    assert wrong_queue.status_code == 400
    assert "queueId" in wrong_queue.text


async def test_everyone_needs_every_host_and_blocks_them_all(
    client: AsyncTestClient[Litestar], settings: Settings, team: Team
) -> None:
    # the event is recorded for the endpoint (nothing is sent: no worker runs here)
    hook = {"endpoint": "https://hooks.example.test/team", "eventTypes": ["booking_created"]}
    created = await client.post("/v4/webhooks", json=hook, headers=team.side.tenant.headers())
    assert created.status_code == 201, created.text
    await patch_queue(client, team, team.id, calculationMethod="everyone")
    before = await spots(client, team)
    assert key(11) in before
    busy = team.hosts[2]
    await book(client, team.side, team.own_types[busy], at(11))
    after = await spots(client, team)
    assert key(11) not in after
    assert key(12) in after
    booked = await book(client, team.side, team.meeting_type, at(12), queueId=team.queue_id)
    info = booked["queueBookingInfo"]
    assert info["calculationMethod"] == "everyone"
    assert info["selectionReason"] is None
    assert await hosts_of(settings, booked["appointmentId"]) == set(team.hosts)
    view = await client.get(
        f"/v4/appointment/{booked['appointmentId']}",
        headers=team.side.tenant.headers(team.side.admin_id),
    )
    assert sorted(view.json()["hostIds"]) == sorted(str(h) for h in team.hosts)
    assert view.json()["queueBookingInfo"]["hostIds"] == info["hostIds"]
    # every host's own meeting types lose the slot too
    for colleague, own in team.own_types.items():
        own_spots = await spots(client, team, own["id"])
        assert key(12) not in own_spots, colleague
    # and the database refuses an overlap for any of them
    clash = await client.post(
        "/v4/booking",
        json={
            "meetingTypeId": team.own_types[team.hosts[1]]["id"],
            "start": at(12).isoformat(),
            "attendee": attendee_body(),
            "ignoreAvailability": True,
        },
        headers=team.side.tenant.headers(),
    )
    assert clash.status_code == 409, clash.text
    # the webhook carries the hosts and the queue's choice
    rows = await fetch(settings, "SELECT payload FROM webhook_event WHERE type = 'booking_created'")
    payloads = [json.loads(bytes(row["payload"])) for row in rows]
    mine = [p for p in payloads if booked["appointmentId"] in json.dumps(p)]
    assert mine, payloads
    assert "queueBookingInfo" in json.dumps(mine[-1])


async def test_a_collective_booking_moves_only_where_all_are_free(
    client: AsyncTestClient[Litestar], settings: Settings, team: Team
) -> None:
    await patch_queue(client, team, team.id, calculationMethod="everyone")
    booked = await book(client, team.side, team.meeting_type, at(9))
    await book(client, team.side, team.own_types[team.hosts[1]], at(14))
    url = f"/v4/appointment/{booked['appointmentId']}/reschedule"
    headers = team.side.tenant.headers(team.side.admin_id)
    refused = await client.post(url, json={"start": at(14).isoformat()}, headers=headers)
    assert refused.status_code == 409, refused.text
    moved = await client.post(url, json={"start": at(15).isoformat()}, headers=headers)
    assert moved.status_code == 200, moved.text
    rows = await fetch(
        settings,
        "SELECT DISTINCT start_at FROM appointment_host WHERE appointment_id = $1",
        uuid.UUID(booked["appointmentId"]),
    )
    assert [row["start_at"] for row in rows] == [at(15)]
    cancelled = await client.post(
        f"/v4/appointment/{booked['appointmentId']}/cancel",
        json={"reason": "no", "cancelAll": True},
        headers=headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    statuses = await fetch(
        settings,
        "SELECT DISTINCT status::text AS s FROM appointment_host WHERE appointment_id = $1",
        uuid.UUID(booked["appointmentId"]),
    )
    assert [row["s"] for row in statuses] == ["cancelled"]


async def test_equal_distribution_keeps_counts_within_one(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    team = await make_team(client, settings, side_a, type="equalDistribution")
    starts = [at(9) + timedelta(minutes=30 * n) for n in range(15)]
    starts += [s + timedelta(days=1) for s in starts]
    counts: Counter[str] = Counter()
    for n, start in enumerate(starts):
        booked = await book(
            client, team.side, team.meeting_type, start, attendee=attendee_body(f"e{n}@x.test")
        )
        counts[booked["queueBookingInfo"]["hostId"]] += 1
        assert max(counts.values()) - min(counts.get(str(h), 0) for h in team.hosts) <= 1
    assert sum(counts.values()) == 30
    assert set(counts) == {str(h) for h in team.hosts}
    # a cancellation gives the turn back: the host who lost a booking is the only one offered
    loser = next(iter(counts))
    rows = await fetch(
        settings,
        "SELECT id FROM appointment WHERE host_user_id = $1 AND meeting_type_id = $2 "
        "AND status = 'confirmed' LIMIT 1",
        uuid.UUID(loser),
        uuid.UUID(team.id),
    )
    cancelled = await client.post(
        f"/v4/appointment/{rows[0]['id']}/cancel",
        json={"reason": "x", "cancelAll": True},
        headers=team.side.tenant.headers(team.side.admin_id),
    )
    assert cancelled.status_code == 200, cancelled.text
    offered = await spots(client, team)
    assert offered
    assert {h for hosts in offered.values() for h in hosts} == {loser}
    again = await book(client, team.side, team.meeting_type, at(9) + timedelta(days=2))
    assert again["queueBookingInfo"]["hostId"] == loser


async def test_higher_priority_hosts_are_booked_first_while_free(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    team = await make_team(client, settings, side_a)
    top, middle, low = team.hosts[2], team.hosts[0], team.hosts[1]
    await patch_queue(
        client,
        team,
        team.id,
        userPriorities=[
            {"userId": str(top), "priority": 3},
            {"userId": str(middle), "priority": 2},
            {"userId": str(low), "priority": 1},
        ],
    )
    first = await book(client, team.side, team.meeting_type, at(10))
    assert (first["queueBookingInfo"]["hostId"], first["queueBookingInfo"]["selectionReason"]) == (
        str(top),
        "Next in Queue",
    )
    second = await book(
        client, team.side, team.meeting_type, at(10), attendee=attendee_body("b@x.test")
    )
    assert second["queueBookingInfo"]["hostId"] == str(middle)
    assert second["queueBookingInfo"]["selectionReason"] == "Chosen Due to Availability"
    third = await book(client, team.side, team.meeting_type, at(11))
    assert third["queueBookingInfo"]["hostId"] == str(top)


async def test_equal_priorities_take_turns(
    client: AsyncTestClient[Litestar], settings: Settings, team: Team
) -> None:
    chosen = [
        (await book(client, team.side, team.meeting_type, at(9 + n)))["queueBookingInfo"]["hostId"]
        for n in range(6)
    ]
    assert sorted(chosen[:3]) == sorted(str(h) for h in team.hosts)
    assert chosen[3:] == chosen[:3]


async def test_ignore_availability_is_refused_for_a_team(
    client: AsyncTestClient[Litestar], team: Team
) -> None:
    response = await client.post(
        "/v4/booking",
        json={
            "meetingTypeId": team.id,
            "start": at(3).isoformat(),
            "attendee": attendee_body(),
            "ignoreAvailability": True,
        },
        headers=team.side.tenant.headers(),
    )
    assert response.status_code == 400
    assert "ignoreAvailability" in response.text


async def test_every_host_of_a_collective_booking_lists_it(
    client: AsyncTestClient[Litestar], settings: Settings, team: Team
) -> None:
    await patch_queue(client, team, team.id, calculationMethod="everyone")
    booked = await book(client, team.side, team.meeting_type, at(13))
    for host in team.hosts:
        headers = team.side.tenant.headers(host)
        page = await client.get("/v4/appointment/paginated", headers=headers)
        assert page.status_code == 200, page.text
        listed = json.dumps(page.json())
        assert booked["appointmentId"] in listed, host
        one = await client.get(f"/v4/appointment/{booked['appointmentId']}", headers=headers)
        assert one.status_code == 200, (host, one.text)
