"""The cap on an availability's exceptions: one by one, by holiday import (all or nothing),
and under concurrency."""

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar

from slotwise.settings import Settings
from tests.support.concurrency import CAP, capped_server, storm
from tests.support.factories import Side, make_user

#: the in-process test client, or a client of the capped server
Client = httpx.AsyncClient
#: three more than the nine German national holidays of a year
LIMIT = 12
GERMANY = {"year": 2026, "country": "DE"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, max_exceptions_per_availability=LIMIT)


def exception(n: int) -> dict[str, Any]:
    return {
        "available": False,
        "start": f"2030-03-{n + 1:02d}T10:00:00Z",
        "end": f"2030-03-{n + 1:02d}T12:00:00Z",
        "title": f"Off {n}",
    }


async def availability_of(
    client: Client, settings: Settings, side: Side
) -> tuple[str, dict[str, str]]:
    """A new member's new availability: its URL and the member's headers."""
    headers = side.tenant.headers(await make_user(settings, side.tenant, given_name="Fresh"))
    body = {"name": "Work", "timezone": "Europe/Berlin"}
    created = await client.post("/v4/availability", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return f"/v4/availability/{created.json()['id']}", headers


async def stored(client: Client, url: str, headers: dict[str, str]) -> list[str]:
    answer = await client.get(url, headers=headers)
    return sorted(item["id"] for item in answer.json()["exceptions"])


async def test_exceptions_past_the_cap_are_406_and_holiday_imports_all_or_nothing(
    client: Client, settings: Settings, side_a: Side
) -> None:
    url, headers = await availability_of(client, settings, side_a)
    holidays = await client.patch(f"{url}/holiday-exceptions", json=GERMANY, headers=headers)
    assert (holidays.status_code, len(holidays.json())) == (200, 9)
    manual = []
    for n in range(LIMIT - 9):
        created = await client.post(f"{url}/exception", json=exception(n), headers=headers)
        assert created.status_code == 201, created.text
        manual.append(created.json()["id"])
    full = await stored(client, url, headers)
    assert len(full) == LIMIT

    refused = await client.post(f"{url}/exception", json=exception(20), headers=headers)
    assert refused.status_code == 406, refused.text
    assert refused.json()["code"] == "limit_reached"
    assert refused.json()["message"] == f"Exception limit reached ({LIMIT} per availability)"
    # the same import again adds nothing, so it passes at the cap
    again = await client.patch(f"{url}/holiday-exceptions", json=GERMANY, headers=headers)
    assert again.status_code == 200, again.text
    assert sorted(e["id"] for e in again.json()) == sorted(e["id"] for e in holidays.json())
    assert await stored(client, url, headers) == full

    # with room for three, nine new holidays are refused and none of them is added
    for item in manual:
        gone = await client.delete(f"{url}/exception/{item}", headers=headers)
        assert gone.status_code in (200, 204)
    some_room = await stored(client, url, headers)
    next_year = GERMANY | {"year": 2027}
    too_many = await client.patch(f"{url}/holiday-exceptions", json=next_year, headers=headers)
    assert too_many.status_code == 406, too_many.text
    assert too_many.json()["code"] == "limit_reached"
    assert await stored(client, url, headers) == some_room


async def test_each_availability_has_its_own_room(
    client: Client, settings: Settings, side_a: Side
) -> None:
    url, headers = await availability_of(client, settings, side_a)
    for n in range(LIMIT):
        created = await client.post(f"{url}/exception", json=exception(n), headers=headers)
        assert created.status_code == 201, created.text
    body = {"name": "Other", "timezone": "Europe/Berlin"}
    other = (await client.post("/v4/availability", json=body, headers=headers)).json()
    other_url = f"/v4/availability/{other['id']}"
    imported = await client.patch(f"{other_url}/holiday-exceptions", json=GERMANY, headers=headers)
    assert imported.status_code == 200, imported.text
    assert len(await stored(client, other_url, headers)) == 9


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
async def test_concurrent_exceptions_stop_at_the_cap(
    http: httpx.AsyncClient, settings: Settings, side_a: Side
) -> None:
    url, headers = await availability_of(http, settings, side_a)
    requests = [("POST", f"{url}/exception", exception(n)) for n in range(10)]
    availability_id = url.rsplit("/", 1)[1]
    lock = f"availability_exceptions_of:{availability_id}"
    answers = await storm(http, settings, lock, requests, headers)
    codes = Counter(
        (r.status_code, r.json().get("code") if r.status_code != 201 else None) for r in answers
    )
    assert codes == {(201, None): CAP, (406, "limit_reached"): 10 - CAP}
    assert len((await http.get(url, headers=headers)).json()["exceptions"]) == CAP
