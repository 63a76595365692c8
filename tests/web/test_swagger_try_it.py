"""Swagger UI's "Try it out" works for a user-scoped route with a platform key: the key is set
in Authorize, the acting-user header in the operation's form, and the call answers 200."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from slotwise.app import create_app
from slotwise.settings import load_settings
from tests.conftest import TEST_REDIS_DB, _truncate_all, with_redis_db
from tests.support.browser import chromium, offline_context, require_chromium, serving
from tests.support.factories import Tenant, make_tenant

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(database_url: str, service_urls: tuple[str, str]) -> Iterator[tuple[str, Tenant]]:
    require_chromium()
    settings = load_settings(
        {},
        database_url=database_url,
        redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
        argon2_profile="cheapest",
        db_pool_size=5,
    )
    with serving(lambda _: create_app(settings)) as base_url:
        tenant = asyncio.run(make_tenant(settings, "Swagger"))
        yield base_url, tenant
    asyncio.run(_truncate_all(database_url))


def test_try_it_out_with_a_platform_key_and_an_acting_user(site: tuple[str, Tenant]) -> None:
    base_url, tenant = site
    user = httpx.post(
        f"{base_url}/v4/user",
        json={
            "email": "try@swagger.test",
            "givenName": "Try",
            "familyName": "Out",
            "timezone": "Europe/Berlin",
        },
        headers=tenant.headers(),
    )
    assert user.status_code == 201, user.text
    with chromium() as browser, offline_context(browser) as (context, foreign):
        page = context.new_page()
        page.goto(f"{base_url}/spec/v2")
        page.get_by_role("button", name="Authorize").first.click()
        dialog = page.locator(".modal-ux")
        key_form = dialog.locator("form", has_text="platformKey")
        key_form.locator("input").fill(tenant.api_key)
        key_form.get_by_role("button", name="Apply credentials").click()
        key_form.get_by_role("button", name="Close").click()
        operation = page.locator("#operations-availability-listAvailabilities")
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        header = operation.locator('tr[data-param-name="x-meetergo-api-user-id"] input')
        header.fill(user.json()["userId"])
        operation.get_by_role("button", name="Execute").click()
        status = operation.locator(".live-responses-table tr.response td.response-col_status")
        expect(status).to_have_text("200")
        body = operation.locator(".live-responses-table .microlight").first
        expect(body).to_contain_text("Working hours")  # the acting user's default availability
        assert foreign == []
