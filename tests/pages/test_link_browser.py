"""A one-time booking link's page in headless Chromium: two invitees open it at once and both
book, exactly one booking is made and the other is told the link is used; the used and expired
pages in English and German, and axe-core scans of the link's pages."""

import asyncio
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.pages.test_booking_browser import (
    Site,
    _serious,
    booked_id,
    browser,
    context,
    next_monday,
    open_booking,
    provision,
    site,
)
from tests.support.bookings import fetch
from tests.support.browser import offline_context

__all__ = ["browser", "context", "site"]  # the fixtures, set up again for this file

pytestmark = pytest.mark.browser

USED = "This link has already been used."


def run(work: Coroutine[Any, Any, Any]) -> Any:
    """A coroutine's result, run outside the loop the sync Playwright API keeps running."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def one_time_link(site: Site) -> tuple[dict[str, str], dict[str, Any]]:
    """A provisioned user and a one-time link to their meeting type."""
    user = provision(site)
    headers = site.tenant.headers(uuid.UUID(user["userId"]))
    (meeting_type,) = httpx.get(f"{site.base_url}/v4/meeting-type", headers=headers).json()
    created = httpx.post(
        f"{site.base_url}/v4/one-time-booking-link/create/{meeting_type['id']}", headers=headers
    )
    assert created.status_code == 201, created.text
    link: dict[str, Any] = created.json() | {"meetingType": meeting_type}
    assert link["url"].startswith(f"{site.base_url}/1t/")
    return user, link


def appointments_of(site: Site, link: dict[str, Any]) -> list[str]:
    rows = run(
        fetch(
            site.settings,
            "SELECT id FROM appointment WHERE meeting_type_id = $1",
            uuid.UUID(link["meetingType"]["id"]),
        )
    )
    return [str(row["id"]) for row in rows]


def choose(page: Page, time_label: str, name: str) -> None:
    page.get_by_role("button", name=time_label, exact=True).click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill("racer@example.test")
    page.get_by_label("Phone").fill("+1 555 0100")


def test_two_browsers_one_link_one_booking(site: Site, browser: Browser) -> None:
    _, link = one_time_link(site)
    url = f"{link['url']}?date={next_monday()}&timezone=Europe/Berlin&timeFormat=24h"
    with offline_context(browser) as (first, _), offline_context(browser) as (second, _):
        page_a, errors_a = open_booking(first, url)
        page_b, errors_b = open_booking(second, url)
        choose(page_a, "10:00", "First Racer")
        choose(page_b, "11:00", "Second Racer")
        page_a.get_by_role("button", name="Confirm booking").click()
        page_b.get_by_role("button", name="Confirm booking").click()
        outcomes = {}
        for name, page in (("a", page_a), ("b", page_b)):
            booked = page.get_by_role("heading", name="You are booked")
            used = page.get_by_role("alert").filter(has_text=USED)
            expect(booked.or_(used)).to_be_visible()
            outcomes[name] = "booked" if booked.is_visible() else "used"
        assert sorted(outcomes.values()) == ["booked", "used"], outcomes
        winner, loser = (page_a, page_b) if outcomes["a"] == "booked" else (page_b, page_a)
        won = booked_id(winner)
        expect(loser.get_by_role("button", name="Confirm booking")).to_be_disabled()
        assert not errors_a + errors_b
    assert appointments_of(site, link) == [won]
    again = httpx.get(link["url"])
    assert again.status_code == 410
    assert "This link has already been used" in again.text


def test_the_used_and_expired_pages(site: Site, context: BrowserContext) -> None:
    _, link = one_time_link(site)
    page, _ = open_booking(context, f"{link['url']}?date={next_monday()}&timezone=Europe/Berlin")
    expect(page.get_by_role("button", name="09:00", exact=True)).to_be_visible()
    views = {"link": _serious(page)}
    choose(page, "09:00", "Ada Lovelace")
    page.get_by_role("button", name="Confirm booking").click()
    booked_id(page)
    used = page.goto(link["url"])
    assert used is not None
    assert used.status == 410
    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()
    views["used"] = _serious(page)
    german = page.goto(f"{link['url']}?lang=de")
    assert german is not None
    assert german.status == 410
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Dieser Link wurde bereits verwendet")).to_be_visible()
    views["used (de)"] = _serious(page)

    _, fresh = one_time_link(site)
    run(
        fetch(
            site.settings,
            "UPDATE one_time_link SET expires_at = now() - interval '1 second' WHERE id = $1",
            uuid.UUID(fresh["id"]),
        )
    )
    expired = page.goto(fresh["url"])
    assert expired is not None
    assert expired.status == 410
    expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
    views["expired"] = _serious(page)
    unknown = page.goto(f"{site.base_url}/1t/not-a-token")
    assert unknown is not None
    assert unknown.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert views == {name: [] for name in views}


def test_the_link_page_at_phone_width(site: Site, browser: Browser) -> None:
    _, link = one_time_link(site)
    with offline_context(browser, viewport={"width": 390, "height": 844}) as (context, _):
        page, _ = open_booking(context, f"{link['url']}?date={next_monday()}")
        expect(page.get_by_role("button", name="Next month")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
