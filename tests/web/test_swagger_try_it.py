"""Swagger UI's "Try it out" works for a user-scoped route with a platform key: the key is set
in Authorize, the acting-user header in the operation's form, and the call answers 200."""

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.browser import chromium, offline_context, require_chromium
from tests.support.factories import Tenant

pytestmark = pytest.mark.browser


def test_try_it_out_with_a_platform_key_and_an_acting_user(
    live_app: tuple[str, Tenant],
) -> None:
    require_chromium()
    base_url, tenant = live_app
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
