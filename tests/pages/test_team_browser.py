"""A round-robin team type's booking page in headless Chromium: a time stays offered while a
host of the team is free, each invitee gets another host, and the page passes axe-core."""

import uuid
from typing import NamedTuple

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.pages.test_booking_browser import (
    Site,
    _serious,
    book,
    booked_id,
    browser,
    context,
    next_monday,
    open_booking,
    provision,
    site,
)
from tests.support.browser import offline_context

__all__ = ["browser", "context", "site"]  # the fixtures, set up again for this file

pytestmark = pytest.mark.browser


class TeamType(NamedTuple):
    booking_url: str
    #: the owner's headers, to read the bookings back
    headers: dict[str, str]
    hosts: set[str]


def team_type(site: Site) -> TeamType:
    """Two provisioned hosts; the first one's meeting type made a round-robin team of both."""
    owner, colleague = provision(site), provision(site)
    headers = site.tenant.headers(uuid.UUID(owner["userId"]))
    (meeting_type,) = httpx.get(f"{site.base_url}/v4/meeting-type", headers=headers).json()
    for user in (owner, colleague):
        queued = httpx.patch(
            f"{site.base_url}/v4/queue/meeting-type/{meeting_type['id']}",
            json={"userId": user["userId"]},
            headers=site.tenant.headers(),
        )
        assert queued.status_code == 200, queued.text
    return TeamType(owner["bookingUrl"], headers, {owner["userId"], colleague["userId"]})


def test_each_invitee_of_a_team_slot_gets_another_host(site: Site, browser: Browser) -> None:
    team = team_type(site)
    page_url = f"{team.booking_url}?date={next_monday()}&timezone=Europe/Berlin&timeFormat=24h"
    hosts = set()
    for n in range(2):
        with offline_context(browser) as (context, _):
            page, errors = open_booking(context, page_url)
            book(page, "10:00", name=f"Invitee {n}")
            appointment_id = booked_id(page)
            assert not errors, errors
        found = httpx.get(f"{site.base_url}/v4/appointment/{appointment_id}", headers=team.headers)
        assert found.status_code == 200, found.text
        hosts.add(found.json()["queueBookingInfo"]["hostId"])
    assert hosts == team.hosts
    with offline_context(browser) as (context, _):
        page, _ = open_booking(context, page_url)
        expect(page.get_by_role("button", name="10:30", exact=True)).to_be_visible()
        # both hosts are busy at 10:00 now: the time is gone from the page
        expect(page.get_by_role("button", name="10:00", exact=True)).to_have_count(0)


def test_a_team_page_has_no_serious_accessibility_violations(
    site: Site, context: BrowserContext, browser: Browser
) -> None:
    url = team_type(site).booking_url
    page, _ = open_booking(context, f"{url}?date={next_monday()}&timezone=Europe/Berlin&lang=de")
    expect(page.get_by_role("button", name="09:00", exact=True)).to_be_visible()
    assert _serious(page) == []
    with offline_context(browser, viewport={"width": 360, "height": 740}) as (phone, _):
        small, _ = open_booking(phone, f"{url}?date={next_monday()}")
        expect(small.get_by_role("button", name="09:00", exact=True)).to_be_visible()
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways at 360 px ({width} px)"
