"""Screenshots of the booking page at desktop and phone width, for the README.

    uv run python -m scripts.screenshots

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, default: local servers) and Debian's
Chromium. Makes a fresh database, provisions a user through the API and writes
docs/booking-desktop.png and docs/booking-phone.png.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from bench.common import ROOT, bench_env, create_company, fresh_database, server
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
SIZES = {"desktop": (1280, 860), "phone": (390, 844)}


def main() -> None:
    url = fresh_database("slotwise_screenshots")
    env = bench_env(url, SLOTWISE_PUBLIC_URL="http://127.0.0.1:8765")
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
            browser.close()


if __name__ == "__main__":
    main()
