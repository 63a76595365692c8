"""Concurrent bookings of a team type on a real `slotwise serve` process: the host choice and
the insert happen under the members' locks, so one slot of a three-host queue is booked
exactly three times, by three different hosts."""

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings, load_settings
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, with_redis_db
from tests.queues.conftest import make_team, patch_queue
from tests.support.bookings import at, booking, fetch
from tests.support.concurrency import storm
from tests.support.factories import Side, attendee_body
from tests.support.servers import running_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(database_url: str, service_urls: tuple[str, str]) -> Iterator[str]:
    settings = load_settings(
        {},
        database_url=database_url,
        redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
        argon2_profile="cheapest",
        public_url="https://book.example.test",
        secret_keys=TEST_SECRET_KEYS,
    )
    with running_server(settings) as base:
        yield base


@pytest.fixture
async def http(server: str, app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=60) as client:
        yield client


async def test_fifty_bookers_of_one_slot_get_the_three_hosts(
    client: AsyncTestClient[Litestar], http: httpx.AsyncClient, settings: Settings, side_a: Side
) -> None:
    team = await make_team(client, settings, side_a)
    requests = [
        (
            "POST",
            "/v4/booking",
            booking(team.meeting_type, at(10), attendee=attendee_body(f"r{n}@x.test")),
        )
        for n in range(50)
    ]
    # every team booking takes its members' locks in id order: the first one holds them all
    first = f"host:{min(team.hosts)}"
    responses = await storm(http, settings, first, requests, side_a.tenant.headers(), wanted=20)
    outcome = Counter(
        (r.status_code, r.json().get("code") if r.status_code != 201 else None) for r in responses
    )
    assert outcome == {(201, None): 3, (409, "slot_unavailable"): 47}
    rows = await fetch(
        settings,
        "SELECT host_user_id FROM appointment WHERE meeting_type_id = $1 AND status = 'confirmed'",
        uuid.UUID(team.id),
    )
    assert sorted(row["host_user_id"] for row in rows) == sorted(team.hosts)


async def test_fifty_bookers_of_a_collective_slot_one_winner(
    client: AsyncTestClient[Litestar], http: httpx.AsyncClient, settings: Settings, side_a: Side
) -> None:
    team = await make_team(client, settings, side_a)
    await patch_queue(client, team, team.id, calculationMethod="everyone")
    requests = [
        (
            "POST",
            "/v4/booking",
            booking(team.meeting_type, at(10), attendee=attendee_body(f"c{n}@x.test")),
        )
        for n in range(50)
    ]
    first = f"host:{min(team.hosts)}"
    responses = await storm(http, settings, first, requests, side_a.tenant.headers(), wanted=20)
    assert Counter(r.status_code for r in responses) == {201: 1, 409: 49}
    rows = await fetch(
        settings,
        "SELECT h.user_id FROM appointment_host h JOIN appointment a ON a.id = h.appointment_id "
        "WHERE a.meeting_type_id = $1 AND a.status = 'confirmed'",
        uuid.UUID(team.id),
    )
    assert sorted(row["user_id"] for row in rows) == sorted(team.hosts)
