"""The booking page (HTML with its first month of slots) on `slotwise serve` (one worker),
compared with the health endpoint, and the size of what a browser downloads for it.

    uv run python -m bench.pages [--seconds 10] [--connections 16]

The page is rendered on every request (a CSP nonce each time); its slots come from the slot
cache after the first request, as for any booking page that is opened more than once.
"""

import argparse
import gzip
import re

import httpx

from bench.common import bench_env, create_company, fresh_database, server, table, wrk

ASSETS = ("/ui/booking.js", "/ui/booking.css")


def provision(base: str, auth: str) -> str:
    user = httpx.post(
        f"{base}/v4/user",
        headers={"Authorization": auth},
        json={
            "email": "page@bench.test",
            "givenName": "Page",
            "familyName": "Bench",
            "timezone": "Europe/Berlin",
        },
    )
    user.raise_for_status()
    booking_url: str = user.json()["bookingUrl"]
    return booking_url


def transfer_sizes(base: str, page_url: str) -> list[tuple[str, int, int]]:
    """(what, bytes, gzip bytes) of the page and every script and style it loads."""
    html = httpx.get(page_url).content
    found = [("page HTML", len(html), len(gzip.compress(html)))]
    for path in ASSETS:
        assert path.encode() in html or re.search(path.encode(), html) is not None, path
        body = httpx.get(f"{base}{path}").content
        found.append((path, len(body), len(gzip.compress(body))))
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    url = fresh_database("slotwise_bench_pages")
    env = bench_env(url, SLOTWISE_PUBLIC_URL="http://127.0.0.1:8765")
    auth = f"Bearer {create_company(env)['apiKey']}"
    with server(env) as base:
        page = provision(base, auth)
        sizes = transfer_sizes(base, page)
        rows = [
            ("GET /health/live", wrk(f"{base}/health/live", seconds=args.seconds)),
            (
                "GET {bookingUrl} (HTML)",
                wrk(page, seconds=args.seconds, connections=args.connections),
            ),
        ]
    print(table(rows))
    ratio = rows[1][1].requests_per_second / rows[0][1].requests_per_second
    print(f"\nbooking page / health: {ratio:.2f} of the requests per second")
    print(f"\n{'':<20}{'bytes':>9}{'gzip':>9}")
    for name, raw, packed in sizes:
        print(f"{name:<20}{raw:>9}{packed:>9}")
    assets = sum(packed for name, _, packed in sizes if name != "page HTML")
    print(f"script + style, compressed: {assets / 1024:.1f} KB")


if __name__ == "__main__":
    main()
