"""Caps on a company's API keys and a user's personal access tokens (revoked ones do not
count), under concurrency too, and their paged lists."""

import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.concurrency import CAP, capped_server, storm
from tests.support.factories import Tenant, make_tenant, make_user

Client = AsyncTestClient[Litestar]
LIMIT = 4
KEYS = "/v4/api-key"
KEY = {"expiresInDays": 7}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings, max_api_keys_per_company=LIMIT, max_personal_access_tokens_per_user=LIMIT
    )


@pytest.fixture
async def tenant(app: Litestar, settings: Settings) -> Tenant:
    """A new company: its owner and its first API key."""
    return await make_tenant(settings, "Capped")


def tokens_url(user_id: uuid.UUID | str) -> str:
    return f"/v4/user/{user_id}/personal-access-token"


def ids(response: httpx.Response) -> list[str]:
    return [item["id"] for item in response.json()]


async def test_api_keys_past_the_cap_are_406_and_revoked_ones_free_room(
    client: Client, tenant: Tenant
) -> None:
    owner = tenant.headers()
    made = []
    for n in range(LIMIT - 1):  # the first key came with the company
        created = await client.post(KEYS, json={"name": f"k{n}", "expiresInDays": 7}, headers=owner)
        assert created.status_code == 201, created.text
        made.append(created.json()["id"])
    before = ids(await client.get(KEYS, headers=owner))
    refused = await client.post(
        KEYS, json={"name": "one too many", "expiresInDays": 7}, headers=owner
    )
    assert refused.status_code == 406, refused.text
    assert refused.json()["code"] == "limit_reached"
    assert refused.json()["message"] == f"API key limit reached ({LIMIT} per company)"
    assert ids(await client.get(KEYS, headers=owner)) == before
    # a revoked key stays listed but no longer counts
    assert (await client.delete(f"{KEYS}/{made[0]}", headers=owner)).status_code == 204
    assert (await client.post(KEYS, json=KEY, headers=owner)).status_code == 201
    assert (await client.post(KEYS, json=KEY, headers=owner)).status_code == 406
    listed = await client.get(KEYS, headers=owner)
    assert len(listed.json()) == LIMIT + 1
    assert listed.headers["x-total-count"] == str(LIMIT + 1)


async def test_tokens_past_the_cap_are_406_per_user(
    client: Client, settings: Settings, tenant: Tenant
) -> None:
    owner = tenant.headers()
    first, second = await make_user(settings, tenant), await make_user(settings, tenant)
    made = []
    for n in range(LIMIT):
        created = await client.post(
            tokens_url(first), json={"name": f"t{n}", "scopes": ["scheduling"]}, headers=owner
        )
        assert created.status_code == 201, created.text
        made.append(created.json()["id"])
    refused = await client.post(
        tokens_url(first), json={"name": "extra", "scopes": ["scheduling"]}, headers=owner
    )
    assert refused.status_code == 406, refused.text
    assert refused.json()["code"] == "limit_reached"
    assert refused.json()["message"] == (f"Personal access token limit reached ({LIMIT} per user)")
    assert ids(await client.get(tokens_url(first), headers=owner)) == made
    # another user has room of their own; a revoked token makes room again
    other = await client.post(
        tokens_url(second), json={"name": "extra", "scopes": ["scheduling"]}, headers=owner
    )
    assert other.status_code == 201
    revoked = await client.delete(f"{tokens_url(first)}/{made[0]}", headers=owner)
    assert revoked.status_code == 204
    again = await client.post(
        tokens_url(first), json={"name": "extra", "scopes": ["scheduling"]}, headers=owner
    )
    assert again.status_code == 201


async def test_key_and_token_lists_page_in_a_stable_order(
    client: Client, settings: Settings, tenant: Tenant
) -> None:
    owner = tenant.headers()
    for _ in range(LIMIT - 1):
        assert (await client.post(KEYS, json=KEY, headers=owner)).status_code == 201
    user = await make_user(settings, tenant)
    for n in range(3):
        made = await client.post(
            tokens_url(user), json={"name": f"t{n}", "scopes": ["account"]}, headers=owner
        )
        assert made.status_code == 201
    for url, total in ((KEYS, LIMIT), (tokens_url(user), 3)):
        whole = await client.get(url, headers=owner)
        everything = ids(whole)
        assert (len(everything), whole.headers["x-total-count"]) == (total, str(total))
        pages = [
            await client.get(url, params={"page": n, "pageSize": 2}, headers=owner)
            for n in range(3)
        ]
        assert [ids(page) for page in pages] == [
            everything[:2],
            everything[2:4],
            everything[4:6],
        ]
        assert {page.headers["x-total-count"] for page in pages} == {str(total)}


@pytest.mark.parametrize("route", ["keys", "tokens"])
@pytest.mark.parametrize(
    ("query", "field"),
    [({"page": -1}, "page"), ({"pageSize": 0}, "pageSize"), ({"pageSize": 101}, "pageSize")],
)
async def test_bad_paging_is_400_naming_the_parameter(
    client: Client, tenant: Tenant, route: str, query: dict[str, object], field: str
) -> None:
    url = KEYS if route == "keys" else tokens_url(tenant.owner_id)
    refused = await client.get(url, params=query, headers=tenant.headers())
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


def outcome(responses: list[httpx.Response]) -> Counter[tuple[int, str | None]]:
    return Counter(
        (r.status_code, r.json().get("code") if r.status_code != 201 else None) for r in responses
    )


@pytest.mark.slow
async def test_concurrent_key_and_token_creations_stop_at_the_cap(
    http: httpx.AsyncClient, settings: Settings, tenant: Tenant
) -> None:
    owner = tenant.headers()
    keys = [("POST", KEYS, {"name": f"k{n}", "expiresInDays": 7}) for n in range(10)]
    answers = await storm(http, settings, f"api_keys_of:{tenant.company_id}", keys, owner)
    # the company's first key counts: CAP - 1 more
    assert outcome(answers) == {(201, None): CAP - 1, (406, "limit_reached"): 10 - (CAP - 1)}
    assert len((await http.get(KEYS, headers=owner)).json()) == CAP

    user = await make_user(settings, tenant)
    tokens = [
        ("POST", tokens_url(user), {"name": f"t{n}", "scopes": ["scheduling"]}) for n in range(10)
    ]
    answers = await storm(http, settings, f"tokens_of:{user}", tokens, owner)
    assert outcome(answers) == {(201, None): CAP, (406, "limit_reached"): 10 - CAP}
    assert len((await http.get(tokens_url(user), headers=owner)).json()) == CAP
