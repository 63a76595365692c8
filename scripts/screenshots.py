"""Screenshots of the booking page at desktop and phone width, and of the confirmation mail
an invitee gets after booking on it, for the README.

    uv run python -m scripts.screenshots

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, default: local servers) and Debian's
Chromium. Makes a fresh database, provisions a user through the API, books on its page through
the page's JSON with a worker and `slotwise dev`'s mail catcher running, and writes
docs/booking-desktop.png, docs/booking-phone.png and docs/mail-confirmation.png.
"""

import email
import email.policy
import tempfile
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
from bench.common import (
    ROOT,
    bench_env,
    create_company,
    fresh_database,
    server,
    smtp_server,
    worker,
)
from playwright.sync_api import Browser, sync_playwright

from slotwise.cli.mailcatcher import Catcher

CHROMIUM = "/usr/bin/chromium"
SIZES = {"desktop": (1280, 860), "phone": (390, 844)}


def book(page_url: str, day: object) -> None:
    """Book 10:00 on the page, as its form does."""
    page = urlsplit(page_url)
    api = f"{page.scheme}://{page.netloc}/v4/public/booking-page{page.path}"
    start = datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=ZoneInfo("Europe/Berlin"))
    attendee = {
        "email": "sam.lee@example.com",
        "fullname": "Sam Lee",
        "timezone": "Europe/Berlin",
        "notes": {"text": "I would like to talk about the results of my last check-up."},
    }
    response = httpx.post(f"{api}/book", json={"start": start.isoformat(), "attendee": attendee})
    response.raise_for_status()


def invitee_mail(folder: Path) -> EmailMessage:
    for _ in range(300):
        for path in sorted(folder.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if "sam.lee@example.com" in str(message["To"]):
                return message  # type: ignore[return-value]
        time.sleep(0.1)
    raise RuntimeError("no mail arrived")


def mail_screenshot(browser: Browser, message: EmailMessage) -> None:
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    page = browser.new_page(viewport={"width": 600, "height": 300})
    page.set_content(str(html.get_content()))
    out = ROOT / "docs" / "mail-confirmation.png"
    page.screenshot(path=str(out), full_page=True)
    print(out.relative_to(ROOT), "-", message["Subject"])


def main() -> None:
    url = fresh_database("slotwise_screenshots")
    folder = Path(tempfile.mkdtemp(prefix="slotwise-mail-"))
    with smtp_server(Catcher(folder)) as smtp_url:
        env = bench_env(
            url,
            SLOTWISE_PUBLIC_URL="http://127.0.0.1:8765",
            SLOTWISE_SMTP_URL=smtp_url,
            SLOTWISE_MAIL_FROM="Northwind Health <bookings@northwind.test>",
        )
        shoot(env, folder)


def shoot(env: dict[str, str], folder: Path) -> None:
    auth = f"Bearer {create_company(env, 'Northwind Health')['apiKey']}"
    with server(env) as base:
        user = httpx.post(
            f"{base}/v4/user",
            headers={"Authorization": auth},
            json={
                "email": "dr.rivera@northwind.test",
                "givenName": "Alex",
                "familyName": "Rivera",
                "timezone": "Europe/Berlin",
                "meetingType": {"name": "Initial consultation", "duration": 30, "channel": "zoom"},
            },
        )
        user.raise_for_status()
        today = datetime.now(ZoneInfo("Europe/Berlin")).date()
        day = today + timedelta(days=(7 - today.weekday()) % 7 + 7)
        page_url = f"{user.json()['bookingUrl']}?date={day}&timezone=Europe/Berlin"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, (width, height) in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(page_url)
                page.get_by_role("button", name="09:00", exact=True).wait_for()
                out = ROOT / "docs" / f"booking-{name}.png"
                page.screenshot(path=str(out), full_page=name == "phone")
                print(out.relative_to(ROOT))
            with worker(env):
                book(user.json()["bookingUrl"], day)
                mail_screenshot(browser, invitee_mail(folder))
            browser.close()


if __name__ == "__main__":
    main()
