"""The booking page at a provisioned user's bookingUrl, driven in headless Chromium with every
request to another host aborted: book by accessible names, lose a race, switch time zones,
read it in German, use only the keyboard, and pass an axe-core scan."""

import asyncio
import json
import threading
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from litestar import Litestar
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FrameLocator,
    Page,
    expect,
)

from slotwise.app import create_app
from slotwise.settings import Settings, load_settings
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, _truncate_all, with_redis_db
from tests.support.browser import (
    chromium,
    offline_context,
    require_chromium,
    serving,
)
from tests.support.factories import Tenant, make_tenant, make_webhook
from tests.support.images import png
from tests.support.webhook_receiver import running_receiver
from tests.support.worker_process import running_worker

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class Site:
    base_url: str
    settings: Settings
    tenant: Tenant


@pytest.fixture(scope="module")
def site(database_url: str, service_urls: tuple[str, str]) -> Iterator[Site]:
    """The app on a local port, its public URL that port, with one company."""
    require_chromium()
    holder: dict[str, Settings] = {}

    def build(base_url: str) -> Litestar:
        holder["settings"] = load_settings(
            {},
            database_url=database_url,
            redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
            argon2_profile="cheapest",
            public_url=base_url,
            webhook_allow_private_networks=True,
            db_pool_size=5,
            secret_keys=TEST_SECRET_KEYS,
        )
        return create_app(holder["settings"])

    with serving(build) as base_url:
        settings = holder["settings"]
        tenant = asyncio.run(make_tenant(settings, "Pages"))
        yield Site(base_url, settings, tenant)
    asyncio.run(_truncate_all(database_url))


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Browser]:
    with chromium() as found:
        yield found


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    with offline_context(
        browser, viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="UTC"
    ) as (found, foreign):
        yield found
        assert not foreign, f"requests to other hosts: {foreign}"


def in_thread(work: Coroutine[Any, Any, object]) -> None:
    """Run a coroutine to the end outside the loop the sync Playwright API keeps running."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, work).result()


def next_monday() -> date:
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=(7 - today.weekday()) % 7 + 7)


def provision(site: Site, timezone: str = "Europe/Berlin") -> dict[str, str]:
    """A user made through the API, as a partner would; returns its user id and bookingUrl."""
    tag = uuid.uuid4().hex[:8]
    body = {
        "email": f"host-{tag}@example.test",
        "givenName": "Hedy",
        "familyName": f"Host {tag}",
        "timezone": timezone,
    }
    response = httpx.post(f"{site.base_url}/v4/user", json=body, headers=site.tenant.headers())
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


def appointment(site: Site, user_id: str, appointment_id: str) -> dict[str, object]:
    headers = site.tenant.headers(uuid.UUID(user_id))
    response = httpx.get(f"{site.base_url}/v4/appointment/{appointment_id}", headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, object] = response.json()
    return found


def open_booking(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    return page, errors


def book(page: Page | FrameLocator, time_label: str, name: str = "Ada Lovelace") -> None:
    page.get_by_role("button", name=time_label, exact=True).click()
    fill_and_confirm(page, name)


def fill_and_confirm(page: Page | FrameLocator, name: str = "Ada Lovelace") -> None:
    """Fill the booking form of the chosen slot and send it."""
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill("ada@example.test")
    phone = page.get_by_label("Phone")
    if phone.count():  # asked only when the host calls
        phone.fill("+49 30 1234567")
    page.get_by_role("button", name="Confirm booking").click()


def booked_id(page: Page) -> str:
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    href = page.get_by_role("link", name="Manage or cancel your booking").get_attribute("href")
    assert href is not None
    parts = urlsplit(href)
    assert parts.fragment, "the manage link carries the secret in its fragment"
    return parts.path.rsplit("/", 1)[1]


def utc(day: date, hour: int, zone: ZoneInfo = BERLIN) -> str:
    moment = datetime.combine(day, time(hour), zone).astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


def test_book_a_provisioned_users_slot(site: Site, context: BrowserContext) -> None:
    user = provision(site)
    day = next_monday()
    with running_receiver() as receiver:
        in_thread(
            make_webhook(
                site.settings,
                site.tenant,
                url=receiver.url("/hook"),
                event_types=("booking_created",),
            )
        )
        with running_worker(site.settings):
            page, errors = open_booking(
                context, f"{user['bookingUrl']}?date={day}&timezone=Europe/Berlin&timeFormat=24h"
            )
            book(page, "10:00")
            appointment_id = booked_id(page)
            calendar_file = page.get_by_role("link", name="Download calendar file (.ics)")
            assert (calendar_file.get_attribute("href") or "").startswith("blob:")
            manage = page.get_by_role("link", name="Manage or cancel your booking")
            secret = urlsplit(manage.get_attribute("href") or "").fragment
            delivered = receiver.wait_for(1, "/hook", timeout=30)
    found = appointment(site, user["userId"], appointment_id)
    assert found["start"] == utc(day, 10)
    ics = httpx.get(
        f"{site.base_url}/v4/public/appointment/{appointment_id}/ics",
        headers={"x-appointment-secret": secret},
    )
    assert f"UID:{appointment_id}@slotwise" in ics.text
    assert not errors, errors
    assert [json.loads(hit.body)["webhookType"] for hit in delivered] == ["booking_created"]
    assert appointment_id in delivered[0].body.decode()


def test_two_browsers_one_slot(site: Site, browser: Browser) -> None:
    user = provision(site)
    url = f"{user['bookingUrl']}?date={next_monday()}&timezone=Europe/Berlin&timeFormat=24h"
    with offline_context(browser) as (first, _), offline_context(browser) as (second, _):
        page_a, _ = open_booking(first, url)
        page_b, _ = open_booking(second, url)
        for page in (page_a, page_b):
            page.get_by_role("button", name="11:00", exact=True).click()
            page.get_by_label("Name").fill("Racer")
            page.get_by_label("Email").fill("racer@example.test")
            page.get_by_label("Phone").fill("+1 555 0100")
        page_a.get_by_role("button", name="Confirm booking").click()
        booked_id(page_a)
        page_b.get_by_role("button", name="Confirm booking").click()
        expect(page_b.get_by_text("This time is no longer available")).to_be_visible()
        expect(page_b.get_by_role("button", name="10:30", exact=True)).to_be_visible()
        expect(page_b.get_by_role("button", name="11:00", exact=True)).to_have_count(0)


def test_switching_time_zones_moves_the_labels_not_the_instant(
    site: Site, context: BrowserContext
) -> None:
    user = provision(site)
    day = next_monday()
    page, _ = open_booking(context, f"{user['bookingUrl']}?date={day}&timezone=Europe/Berlin")
    expect(page.get_by_role("button", name="15:00", exact=True)).to_be_visible()
    page.get_by_label("Time zone").select_option("America/New_York")
    expect(page.get_by_role("button", name="09:00", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="03:00", exact=True)).to_be_visible()
    book(page, "09:00")
    found = appointment(site, user["userId"], booked_id(page))
    assert found["start"] == utc(day, 9, NEW_YORK) == utc(day, 15)


def test_german_and_twelve_hour_clock(site: Site, context: BrowserContext) -> None:
    user = provision(site)
    page, _ = open_booking(
        context, f"{user['bookingUrl']}?date={next_monday()}&lang=de&timeFormat=12h"
    )
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Datum und Uhrzeit wählen")).to_be_visible()
    expect(page.get_by_role("button", name="Vorheriger Monat")).to_be_visible()
    page.get_by_role("button", name="9:00 AM", exact=True).click()
    expect(page.get_by_role("button", name="Buchung bestätigen")).to_be_visible()
    page.get_by_role("button", name="Buchung bestätigen").click()
    expect(page.get_by_text("Pflichtfeld").first).to_be_visible()


def test_the_hosts_date_and_time_format(site: Site, context: BrowserContext) -> None:
    user = provision(site)
    changed = httpx.patch(
        f"{site.base_url}/v4/user/{user['userId']}",
        json={"dateFormat": "dd.MM.yyyy", "timeFormat": "h:mm a"},
        headers=site.tenant.headers(),
    )
    assert changed.status_code == 200, changed.text
    day = next_monday()
    page, _ = open_booking(context, f"{user['bookingUrl']}?date={day}&timezone=Europe/Berlin")
    shown = f"{day:%A}, {day:%d.%m.%Y}"
    expect(page.get_by_role("heading", name=f"Times on {shown}")).to_be_visible()
    page.get_by_role("button", name="9:00 AM", exact=True).click()
    expect(page.get_by_text(f"{shown}, 9:00 AM (Europe/Berlin)")).to_be_visible()


def test_unknown_pages_are_a_branded_404(site: Site, context: BrowserContext) -> None:
    page = context.new_page()
    response = page.goto(f"{site.base_url}/nobody-here/nothing-here")
    assert response is not None
    assert response.status == 404
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    api = httpx.get(f"{site.base_url}/v4/not-a-route")
    assert api.status_code == 404
    assert api.json()["statusCode"] == 404


def test_keyboard_only_booking(site: Site, context: BrowserContext) -> None:
    user = provision(site)
    day = next_monday()
    page, _ = open_booking(
        context, f"{user['bookingUrl']}?date={day}&timezone=Europe/Berlin&timeFormat=24h"
    )
    expect(page.get_by_role("button", name="09:00", exact=True)).to_be_visible()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "14:00":
            break
    else:
        pytest.fail("14:00 is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your details")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("Keyboard User")
    page.keyboard.press("Tab")
    page.keyboard.type("keys@example.test")
    page.keyboard.press("Tab")
    page.keyboard.type("+49 30 7654321")
    page.keyboard.press("Enter")
    found = appointment(site, user["userId"], booked_id(page))
    assert found["start"] == utc(day, 14)


def test_no_serious_accessibility_violations(site: Site, context: BrowserContext) -> None:
    user = provision(site)
    page, _ = open_booking(
        context, f"{user['bookingUrl']}?date={next_monday()}&timezone=Europe/Berlin"
    )
    expect(page.get_by_role("button", name="09:00", exact=True)).to_be_visible()
    views = {"booking": _serious(page)}
    page.get_by_role("button", name="09:30", exact=True).click()
    views["form"] = _serious(page)
    page.get_by_label("Name").fill("Axe Tester")
    page.get_by_label("Email").fill("axe@example.test")
    page.get_by_label("Phone").fill("+49 30 1111111")
    page.get_by_role("button", name="Confirm booking").click()
    booked_id(page)
    views["confirmation"] = _serious(page)
    manage = page.get_by_role("link", name="Manage or cancel your booking").get_attribute("href")
    page.goto(manage or "")
    expect(page.get_by_role("button", name="Cancel booking")).to_be_visible()
    views["manage"] = _serious(page)
    page.goto(f"{site.base_url}/nobody-here/nothing-here")
    views["not found"] = _serious(page)
    assert views == {name: [] for name in views}


def _serious(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def test_phone_width(site: Site, browser: Browser) -> None:
    user = provision(site)
    with offline_context(browser, viewport={"width": 360, "height": 740}) as (context, _):
        page, _ = open_booking(context, f"{user['bookingUrl']}?date={next_monday()}")
        expect(page.get_by_role("button", name="Next month")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways at 360 px ({width} px)"


def test_the_manage_link_moves_and_cancels(site: Site, context: BrowserContext) -> None:
    user = provision(site)
    day = next_monday()
    page, _ = open_booking(
        context, f"{user['bookingUrl']}?date={day}&timezone=Europe/Berlin&timeFormat=24h"
    )
    book(page, "10:00")
    appointment_id = booked_id(page)
    manage = page.get_by_role("link", name="Manage or cancel your booking").get_attribute("href")
    assert manage is not None
    page.goto(manage)
    expect(page.get_by_role("heading", name="30min Meeting")).to_be_visible()
    expect(page.get_by_text("Scheduling by slotwise")).to_be_visible()
    page.get_by_role("link", name="Reschedule").click()
    page.get_by_role("button", name=f"{dayname(day)}, Available").click()
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    # 16:30 is the last start in Berlin; in UTC (the browser's zone) it would be 15:30
    expect(page.get_by_role("button", name="16:30", exact=True)).to_be_visible()
    page.get_by_role("button", name="13:00", exact=True).click()
    page.get_by_role("button", name="Confirm new time").click()
    expect(page.get_by_role("heading", name="Your booking has been moved")).to_be_visible()
    assert appointment(site, user["userId"], appointment_id)["start"] == utc(day, 13)
    page.goto(manage)
    page.get_by_role("button", name="Cancel booking").click()
    page.get_by_label("Reason (optional)").fill("Something came up")
    page.get_by_role("button", name="Confirm cancellation").click()
    expect(page.get_by_text("Your booking is cancelled.")).to_be_visible()
    cancelled = appointment(site, user["userId"], appointment_id)
    assert cancelled["status"] == "cancelled"
    page.reload()
    expect(page.get_by_text("This booking is no longer active.")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel booking")).to_be_hidden()


def dayname(day: date) -> str:
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


@contextmanager
def partner_site(html: str) -> Iterator[str]:
    """Another origin (another local port) serving one page, as a partner's app would."""
    body = html.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_embedding_on_another_origin(site: Site, context: BrowserContext) -> None:
    user = provision(site)
    day = next_monday()
    url = f"{user['bookingUrl']}?date={day}&timezone=Europe/Berlin&timeFormat=24h"
    html = f"""<!doctype html><html lang="en"><head><title>Partner app</title></head><body>
<main><h1>Book with us</h1>
<script>window.received = [];
window.addEventListener("message", (event) => window.received.push(event.data));</script>
<script src="{site.base_url}/embed.js" data-slotwise-url="{url}"></script></main>
</body></html>"""
    with partner_site(html) as partner_url:
        page = context.new_page()
        page.goto(partner_url)
        frame = page.frame_locator("iframe[title='Booking']")
        expect(frame.locator("body.embedded")).to_be_attached()
        expect(frame.locator("header")).to_have_count(0)
        book(frame, "10:00")
        expect(frame.get_by_role("heading", name="You are booked")).to_be_visible()
        page.wait_for_function("window.received.some((m) => m.type === 'slotwise:booking_created')")
        received = page.evaluate("window.received")
        height = page.evaluate("document.querySelector('iframe').style.height")
    created = [m for m in received if m.get("type") == "slotwise:booking_created"]
    assert len(created) == 1
    assert any(m.get("type") == "slotwise:resize" for m in received)
    assert height.endswith("px")
    found = appointment(site, user["userId"], created[0]["appointmentId"])
    assert found["start"] == utc(day, 10)


def test_the_company_brand_in_the_browser(site: Site, context: BrowserContext) -> None:
    user = provision(site)
    branding = {
        "displayName": "Northwind Health",
        "primaryColor": "#0F766E",
        "hidePoweredBy": True,
    }
    response = httpx.patch(
        f"{site.base_url}/v4/company/branding", json=branding, headers=site.tenant.headers()
    )
    assert response.status_code == 200, response.text
    logo = httpx.put(
        f"{site.base_url}/v4/company/branding/logo",
        content=png(48, 24),
        headers=site.tenant.headers() | {"content-type": "image/png"},
    )
    assert logo.status_code == 200, logo.text
    try:
        page, _ = open_booking(context, f"{user['bookingUrl']}?date={next_monday()}")
        expect(page.get_by_text("Northwind Health")).to_be_visible()
        image = page.locator("header img.logo")
        expect(image).to_be_visible()
        assert image.evaluate("(img) => img.naturalWidth") == 48
        expect(page.get_by_text("Scheduling by slotwise")).to_have_count(0)
        page.get_by_role("button", name="09:00", exact=True).click()
        button = page.get_by_role("button", name="Confirm booking")
        color = button.evaluate("(el) => getComputedStyle(el).backgroundColor")
        assert color == "rgb(15, 118, 110)"
        fill_and_confirm(page)
        booked_id(page)
        manage = page.get_by_role("link", name="Manage or cancel your booking")
        page.goto(manage.get_attribute("href") or "")
        # the manage page learns whose booking it is with the secret, then takes its look
        expect(page.get_by_role("heading", name="30min Meeting")).to_be_visible()
        expect(page.get_by_text("Northwind Health")).to_be_visible()
        expect(page.locator("header img.logo")).to_be_visible()
        assert page.locator("header img.logo").evaluate("(img) => img.naturalWidth") == 48
        expect(page.get_by_text("Scheduling by slotwise")).to_have_count(0)
        page.get_by_role("button", name="Cancel booking").click()
        confirm = page.get_by_role("button", name="Confirm cancellation")
        color = confirm.evaluate("(el) => getComputedStyle(el).backgroundColor")
        assert color == "rgb(15, 118, 110)"
        host_slug = urlsplit(user["bookingUrl"]).path.split("/")[1]
        missing = page.goto(f"{site.base_url}/{host_slug}/no-such-type")
        assert missing is not None
        assert missing.status == 404
        expect(page.get_by_text("Northwind Health")).to_be_visible()
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    finally:
        httpx.delete(f"{site.base_url}/v4/company/branding/logo", headers=site.tenant.headers())
        httpx.patch(
            f"{site.base_url}/v4/company/branding",
            json={"displayName": None, "primaryColor": None, "hidePoweredBy": False},
            headers=site.tenant.headers(),
        )


def make_meeting_type(site: Site, user: dict[str, str], **fields: Any) -> str:
    """A second meeting type of a provisioned user, on their default availability."""
    body = {"meetingInfo": {"name": "Workshop", "duration": 60, "channel": "zoom"}} | fields
    response = httpx.post(
        f"{site.base_url}/v4/meeting-type",
        json=body | {"daysIntoFuture": {"mode": "unlimited"}, "bookingMinimum": 0},
        headers=site.tenant.headers(uuid.UUID(user["userId"])),
    )
    assert response.status_code == 201, response.text
    booking_url: str = response.json()["bookingUrl"]
    return booking_url


def intro_call(site: Site, user: dict[str, str]) -> str:
    """A meeting type of the user that waits for the host's confirmation."""
    return make_meeting_type(
        site,
        user,
        meetingInfo={"name": "Intro call", "duration": 30, "channel": "zoom"},
        meetingOptions={"requireHostConfirmation": True},
    )


def test_group_seats_and_host_confirmation(site: Site, context: BrowserContext) -> None:
    user = provision(site)
    day = next_monday()
    group = make_meeting_type(site, user, spots=3)
    page, _ = open_booking(context, f"{group}?date={day}&timezone=Europe/Berlin&timeFormat=24h")
    book(page, "10:00")
    booked_id(page)
    page, _ = open_booking(context, f"{group}?date={day}&timezone=Europe/Berlin&timeFormat=24h")
    seats = page.get_by_role("listitem").filter(
        has=page.get_by_role("button", name="10:00", exact=True)
    )
    expect(seats).to_contain_text("2 seats left")
    confirm = intro_call(site, user)
    page, _ = open_booking(context, f"{confirm}?date={day}&timezone=Europe/Berlin&timeFormat=24h")
    book(page, "15:00")
    expect(
        page.get_by_role("heading", name="Requested: waiting for the host to confirm")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Manage or cancel your booking")).to_have_count(0)


def _host_token(site: Site, request_id: str) -> str:
    """The token the host's mail carries (it waits in the queued mail until sent)."""
    return _mailed_token(site, request_id, "host_confirmation_requested")


def _mailed_token(site: Site, booking_id: str, kind: str) -> str:
    """The token a queued mail of `kind` carries for its link."""
    found: list[str] = []

    async def read() -> None:
        conn = await asyncpg.connect(site.settings.database_url)
        try:
            found.append(
                await conn.fetchval(
                    "SELECT context->>'secret' FROM notification "
                    "WHERE appointment_id = $1 AND kind = $2",
                    uuid.UUID(booking_id),
                    kind,
                )
            )
        finally:
            await conn.close()

    in_thread(read())
    return found[0]


def test_the_host_confirms_with_the_keyboard_from_the_mailed_link(
    site: Site, context: BrowserContext
) -> None:
    user = provision(site)
    day = next_monday()
    confirm = intro_call(site, user)
    page, _ = open_booking(context, f"{confirm}?date={day}&timezone=Europe/Berlin&timeFormat=24h")
    book(page, "11:00")
    expect(
        page.get_by_role("heading", name="Requested: waiting for the host to confirm")
    ).to_be_visible()
    listed = httpx.get(
        f"{site.base_url}/v4/provisional-booking/paginated",
        headers=site.tenant.headers(uuid.UUID(user["userId"])),
    )
    request_id = listed.json()["provisionalBookings"][0]["id"]
    token = _host_token(site, request_id)
    page.goto(f"{site.base_url}/rq/{request_id}?action=confirm#{token}")
    expect(page.get_by_role("heading", name="Intro call")).to_be_visible()
    assert _serious(page) == []
    # the page focuses the button the link named; Enter presses it
    expect(page.get_by_role("button", name="Confirm")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("The booking is confirmed.")).to_be_visible()
    found = appointment(site, user["userId"], request_id)
    assert found["status"] == "confirmed"
    page.reload()
    expect(page.get_by_text("This request is no longer open.")).to_be_visible()


def _opt_in_booking(site: Site, context: BrowserContext) -> tuple[dict[str, str], str, str]:
    """A booking made on the page of a double opt-in type: (host, its id, the mailed token)."""
    user = provision(site)
    url = make_meeting_type(
        site,
        user,
        meetingInfo={"name": "Tasting", "duration": 30, "channel": "zoom"},
        meetingOptions={"doubleOptIn": True},
    )
    page, _ = open_booking(
        context, f"{url}?date={next_monday()}&timezone=Europe/Berlin&timeFormat=24h&lang=en"
    )
    book(page, "11:00")
    expect(
        page.get_by_role("heading", name="Almost done: please confirm your booking")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Manage or cancel your booking")).to_have_count(0)
    listed = httpx.get(
        f"{site.base_url}/v4/provisional-booking/paginated",
        headers=site.tenant.headers(uuid.UUID(user["userId"])),
    )
    [item] = listed.json()["provisionalBookings"]
    assert (item["type"], item["status"]) == ("doubleOptIn", "pending")
    return user, item["id"], _mailed_token(site, item["id"], "booking_opt_in")


def test_the_attendee_confirms_with_the_keyboard_from_the_mailed_link(
    site: Site, context: BrowserContext
) -> None:
    user, booking_id, token = _opt_in_booking(site, context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site.base_url}/ok/{booking_id}?lang=en#{token}")
    expect(page.get_by_role("heading", name="Tasting")).to_be_visible()
    expect(page.get_by_text("The time is held for you until")).to_be_visible()
    assert _serious(page) == []
    # the button has the focus; Enter presses it
    expect(page.get_by_role("button", name="Confirm booking")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your booking is confirmed.")).to_be_visible()
    assert _serious(page) == []
    assert appointment(site, user["userId"], booking_id)["status"] == "confirmed"
    # opening the link again shows how it stands, with nothing to press
    page.reload()
    expect(page.get_by_text("Your booking is confirmed.")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm booking")).to_be_hidden()
    assert errors == []
    wrong = context.new_page()  # a new document: changing the fragment alone reloads nothing
    wrong.goto(f"{site.base_url}/ok/{booking_id}?lang=en#wrong-token")
    expect(wrong.get_by_text("This link is no longer valid.")).to_be_visible()


def test_the_confirm_page_in_german_at_phone_width(site: Site, browser: Browser) -> None:
    with offline_context(
        browser, viewport={"width": 360, "height": 740}, locale="de-DE", timezone_id="UTC"
    ) as (context, foreign):
        _, booking_id, token = _opt_in_booking(site, context)
        page = context.new_page()
        page.goto(f"{site.base_url}/ok/{booking_id}?lang=de#{token}")
        expect(page.get_by_role("heading", name="Bestätigen Sie Ihre Buchung")).to_be_visible()
        expect(page.get_by_text("für Sie reserviert")).to_be_visible()
        button = page.get_by_role("button", name="Buchung bestätigen")
        expect(button).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page scrolls sideways at 360 px ({width} px)"
        button.click()
        expect(page.get_by_text("Ihre Buchung ist bestätigt.")).to_be_visible()
        assert not foreign


def test_the_page_sends_the_invitee_on_after_booking(site: Site, browser: Browser) -> None:
    user = provision(site)
    thanks = "https://partner.example.test/thanks?from=slotwise"
    typed = make_meeting_type(
        site,
        user,
        meetingInfo={
            "name": "Intake",
            "duration": 30,
            "channel": "zoom",
            "enableRedirect": True,
            "redirect": thanks,
            "passEventDetailsToRedirect": True,
        },
    )
    day = next_monday()
    with offline_context(browser, viewport={"width": 1280, "height": 900}) as (context, foreign):
        page, _ = open_booking(context, f"{typed}?date={day}&timezone=Europe/Berlin")
        book(page, "10:00")
        for _ in range(100):  # up to 10 s
            if foreign:
                break
            page.wait_for_timeout(100)
    # the partner's page is another host: the test browser reaches no other host, so the
    # navigation is stopped and recorded
    assert len(set(foreign)) == 1, foreign  # the browser may try the one navigation twice
    sent = urlsplit(foreign[0])
    query = dict(parse_qsl(sent.query))
    assert f"{sent.scheme}://{sent.netloc}{sent.path}" == "https://partner.example.test/thanks"
    assert query["from"] == "slotwise"
    assert query["email"] == "ada@example.test"
    assert query["start"] == utc(day, 10).replace("Z", ".000Z")
    found = appointment(site, user["userId"], query["appointmentId"])
    assert found["start"] == utc(day, 10)
