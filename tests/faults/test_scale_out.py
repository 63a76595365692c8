"""Three `slotwise serve` processes and two `slotwise worker` processes on one PostgreSQL and
Redis behave as one: a rate limit counts across them, a slot booked through one is gone from
every other's cache, and each booking's webhook and mails go out once though both workers
compete for them."""

import asyncio
import itertools
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest

from slotwise.settings import Settings, load_settings
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, _truncate_all, with_redis_db
from tests.support.bookings import at, book, execute, fetch, make_type, monday
from tests.support.factories import Side, Tenant, make_side, make_tenant, make_webhook
from tests.support.servers import ServerProcess, server_processes
from tests.support.smtp_server import Inbox, running_smtp
from tests.support.webhook_receiver import Receiver, running_receiver
from tests.support.worker_process import WorkerProcess, started_workers, wait_started, worker_env

pytestmark = pytest.mark.slow

#: the rate limit of the companies the limit test uses: 5 at once, then one a minute
BURST = 5


@dataclass(frozen=True)
class Cluster:
    settings: Settings
    apis: list[ServerProcess]
    workers: list[WorkerProcess]
    side: Side
    receiver: Receiver
    inbox: Inbox
    #: two companies limited to `BURST` requests at once
    limited: tuple[Tenant, Tenant]


async def _prepare(settings: Settings) -> tuple[Side, tuple[Tenant, Tenant]]:
    side = await make_side(settings, "Scale")
    limited = (await make_tenant(settings, "LimitOne"), await make_tenant(settings, "LimitAll"))
    for tenant in limited:
        await execute(
            settings,
            "INSERT INTO company_rate_limit (id, company_id, per_minute, burst)"
            " VALUES (gen_random_uuid(), $1, 1, $2)",
            tenant.company_id,
            BURST,
        )
    return side, limited


@pytest.fixture(scope="module")
def cluster(database_url: str, service_urls: tuple[str, str]) -> Iterator[Cluster]:
    with running_receiver() as receiver, running_smtp() as inbox:
        settings = load_settings(
            {},
            database_url=database_url,
            redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
            argon2_profile="cheapest",
            public_url="https://book.example.test",
            secret_keys=TEST_SECRET_KEYS,
            smtp_url=inbox.url,
            webhook_allow_private_networks=True,
            webhook_relay_seconds=1,
        )
        side, limited = asyncio.run(_prepare(settings))
        # small pools: eight processes share the test server's connections
        env = worker_env(settings) | {"SLOTWISE_DB_POOL_SIZE": "3"}
        with (
            started_workers(settings, 2, SLOTWISE_DB_POOL_SIZE="3") as workers,
            server_processes(settings, 3, "granian", env) as apis,
        ):
            wait_started(settings, workers)
            yield Cluster(settings, apis, workers, side, receiver, inbox, limited)
    asyncio.run(_truncate_all(database_url))


async def _statuses(cluster: Cluster, tenant: Tenant, apis: list[ServerProcess]) -> list[int]:
    """GET the company's webhooks once through each of `apis` in turn, 3 * BURST times."""
    codes = []
    for running in itertools.islice(itertools.cycle(apis), 3 * BURST):
        async with httpx.AsyncClient(base_url=running.base, timeout=10) as http:
            response = await http.get("/v4/webhooks", headers=tenant.headers())
        codes.append(response.status_code)
    return codes


async def test_a_rate_limit_counts_across_every_api_process(cluster: Cluster) -> None:
    one, spread = cluster.limited
    on_one = await _statuses(cluster, one, cluster.apis[:1])
    round_robin = await _statuses(cluster, spread, cluster.apis)
    assert on_one == [200] * BURST + [429] * (2 * BURST)
    assert round_robin == on_one


async def _offered(http: httpx.AsyncClient, side: Side, meeting_type_id: str) -> set[datetime]:
    day = monday(5)
    response = await http.get(
        f"/v4/booking-availability?meetingTypeId={meeting_type_id}&start={day}&end={day}",
        headers=side.tenant.headers(side.member_id),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return {datetime.fromisoformat(spot["startTime"]) for d in body["dates"] for spot in d["spots"]}


async def test_a_slot_booked_through_one_api_is_gone_from_every_other(cluster: Cluster) -> None:
    side = cluster.side
    clients = [httpx.AsyncClient(base_url=api.base, timeout=10) for api in cluster.apis]
    try:
        meeting_type = await make_type(clients[0], side)
        start = at(11, day=monday(5))
        for http in clients:  # every process has computed (and cached) the answer
            assert start in await _offered(http, side, meeting_type["id"])
            assert start in await _offered(http, side, meeting_type["id"])
        await book(clients[1], side, meeting_type, start)
        for http in (clients[2], clients[0], clients[1]):
            assert start not in await _offered(http, side, meeting_type["id"])
    finally:
        for http in clients:
            await http.aclose()


async def test_each_webhook_and_mail_goes_out_once_with_two_workers(cluster: Cluster) -> None:
    side, settings = cluster.side, cluster.settings
    endpoint = await make_webhook(
        settings,
        side.tenant,
        url=cluster.receiver.url("/booked"),
        event_types=("booking_created",),
    )
    clients = [httpx.AsyncClient(base_url=api.base, timeout=10) for api in cluster.apis]
    try:
        meeting_type = await make_type(clients[0], side)
        starts = [at(9 + n % 8, day=monday(6) + timedelta(days=n // 8)) for n in range(12)]
        booked = [
            await book(clients[n % 3], side, meeting_type, start) for n, start in enumerate(starts)
        ]
    finally:
        for http in clients:
            await http.aclose()
    ids = [uuid.UUID(created["appointmentId"]) for created in booked]
    expected_mails = await _wait_until_sent(settings, endpoint.id, ids)

    hooks = cluster.receiver.on("/booked")
    assert sorted(msgspec.json.decode(hook.body)["id"] for hook in hooks) == sorted(map(str, ids))
    assert len({hook.headers["webhook-id"] for hook in hooks}) == len(ids)

    message_ids = Counter(
        str(message["Message-ID"]).strip("<>").split("@")[0] for message in cluster.inbox.messages()
    )
    assert max(message_ids.values()) == 1, "a mail arrived twice"
    assert expected_mails <= set(message_ids)
    assert all(worker.proc.poll() is None for worker in cluster.workers)


async def _wait_until_sent(
    settings: Settings, endpoint_id: uuid.UUID, ids: list[uuid.UUID]
) -> set[str]:
    """Wait (up to 20 s) until the bookings' deliveries are delivered and their mails due by
    now are sent; the ids of those mails."""
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        hooks = await fetch(
            settings,
            "SELECT status::text AS s FROM webhook_delivery WHERE endpoint_id = $1",
            endpoint_id,
        )
        mails = await fetch(
            settings,
            "SELECT id::text, status::text AS s FROM notification"
            " WHERE appointment_id = ANY($1::uuid[]) AND next_attempt_at <= now()",
            ids,
        )
        done = len(hooks) == len(ids) and all(row["s"] == "delivered" for row in hooks)
        if done and len(mails) >= 2 * len(ids) and all(row["s"] == "sent" for row in mails):
            return {row["id"] for row in mails}
        assert asyncio.get_running_loop().time() < deadline, (hooks, mails)
        await asyncio.sleep(0.2)
