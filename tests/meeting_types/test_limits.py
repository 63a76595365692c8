"""The cap on a user's meeting types, under concurrency too, and the paged list."""

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.concurrency import CAP, capped_server, storm
from tests.support.factories import Side, make_user

Client = AsyncTestClient[Litestar]
LIMIT = 4


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, max_meeting_types_per_user=LIMIT)


def body(n: int) -> dict[str, Any]:
    return {"meetingInfo": {"name": f"Call {n}", "duration": 30, "channel": "zoom"}}


async def fresh_user(settings: Settings, side: Side) -> tuple[uuid.UUID, dict[str, str]]:
    user_id = await make_user(settings, side.tenant, given_name="Fresh")
    return user_id, side.tenant.headers(user_id)


async def fill(client: Client, headers: dict[str, str], count: int) -> list[dict[str, Any]]:
    made = []
    for n in range(count):
        response = await client.post("/v4/meeting-type", json=body(n), headers=headers)
        assert response.status_code == 201, response.text
        made.append(response.json())
    return made


async def test_one_past_the_cap_is_406_and_adds_nothing(
    client: Client, settings: Settings, side_a: Side
) -> None:
    _, headers = await fresh_user(settings, side_a)
    made = await fill(client, headers, LIMIT)
    refused = await client.post("/v4/meeting-type", json=body(99), headers=headers)
    assert refused.status_code == 406, refused.text
    answer = refused.json()
    assert (answer["code"], answer["statusCode"]) == ("limit_reached", 406)
    assert answer["message"] == f"Meeting type limit reached ({LIMIT} per user)"
    listed = await client.get("/v4/meeting-type", headers=headers)
    assert [item["id"] for item in listed.json()] == [item["id"] for item in made]
    # deleted types do not count: deleting one makes room for one
    gone = await client.delete(f"/v4/meeting-type/{made[0]['id']}", headers=headers)
    assert gone.status_code == 200
    assert (await client.post("/v4/meeting-type", json=body(5), headers=headers)).status_code == 201
    again = await client.post("/v4/meeting-type", json=body(6), headers=headers)
    assert again.status_code == 406


async def test_the_cap_is_per_user(client: Client, settings: Settings, side_a: Side) -> None:
    _, full = await fresh_user(settings, side_a)
    await fill(client, full, LIMIT)
    _, other = await fresh_user(settings, side_a)
    assert len(await fill(client, other, LIMIT)) == LIMIT
    # an admin creating for the full user is refused as well
    admin = side_a.tenant.headers(side_a.admin_id)
    full_id = full["x-meetergo-api-user-id"]
    refused = await client.post(
        "/v4/meeting-type", json=body(9) | {"userId": full_id}, headers=admin
    )
    assert refused.status_code == 406, refused.text


async def test_pages_slice_the_list_in_a_stable_order(
    client: Client, settings: Settings, side_a: Side
) -> None:
    _, headers = await fresh_user(settings, side_a)
    ids = [item["id"] for item in await fill(client, headers, LIMIT)]
    whole = await client.get("/v4/meeting-type", headers=headers)
    assert [item["id"] for item in whole.json()] == ids
    assert whole.headers["x-total-count"] == str(LIMIT)
    for query, expected in [
        ({"page": 0, "pageSize": 3}, ids[:3]),
        ({"page": 1, "pageSize": 3}, ids[3:]),
        ({"page": 2, "pageSize": 3}, []),
        ({"pageSize": 2}, ids[:2]),
        ({"page": 0}, ids),  # the default page size (20) holds them all
        ({"page": 1}, []),
    ]:
        page = await client.get("/v4/meeting-type", params=query, headers=headers)
        assert page.status_code == 200, page.text
        assert [item["id"] for item in page.json()] == expected, query
        assert page.headers["x-total-count"] == str(LIMIT)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": -1}, "page"),
        ({"page": "first"}, "page"),
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 101}, "pageSize"),
        ({"page": 0, "pageSize": "ten"}, "pageSize"),
    ],
)
async def test_bad_paging_is_400_naming_the_parameter(
    client: Client, side_a: Side, query: dict[str, object], field: str
) -> None:
    headers = side_a.tenant.headers(side_a.member_id)
    refused = await client.get("/v4/meeting-type", params=query, headers=headers)
    assert refused.status_code == 400, refused.text
    assert [error["field"] for error in refused.json()["errors"]] == [field]


@pytest.fixture(scope="module")
def server(database_url: str, service_urls: tuple[str, str]) -> Iterator[str]:
    with capped_server(database_url, service_urls) as base:
        yield base


@pytest.fixture
async def http(server: str, app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the capped server; `app` cleans the database after the test."""
    async with httpx.AsyncClient(base_url=server, timeout=60) as client:
        yield client


@pytest.mark.slow
async def test_concurrent_creations_stop_at_the_cap(
    http: httpx.AsyncClient, settings: Settings, side_a: Side
) -> None:
    user_id, headers = await fresh_user(settings, side_a)
    requests = [("POST", "/v4/meeting-type", body(n)) for n in range(10)]
    responses = await storm(http, settings, f"meeting_types_of:{user_id}", requests, headers)
    codes = Counter(
        (r.status_code, r.json().get("code") if r.status_code != 201 else None) for r in responses
    )
    assert codes == {(201, None): CAP, (406, "limit_reached"): 10 - CAP}
    listed = await http.get("/v4/meeting-type", headers=headers)
    assert len(listed.json()) == CAP
    assert listed.headers["x-total-count"] == str(CAP)
