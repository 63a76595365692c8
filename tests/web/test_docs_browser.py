"""The docs pages render in a real browser with the network cut off.

Swagger UI (/spec/v2, /schema/swagger) and Redoc (/schema/redoc) must load everything from
the app itself: any request to another host is aborted, recorded and fails the test.
Needs Debian's Chromium (`apt-get install -y chromium`); skipped when it is missing.
"""

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from slotwise.app import create_app
from slotwise.settings import load_settings
from tests.conftest import TEST_SECRET_KEYS
from tests.support.browser import (
    chromium,
    offline_context,
    require_chromium,
    serving,
)

pytestmark = pytest.mark.browser

TITLE = "slotwise Platform API"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    require_chromium()
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/postgres",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "SLOTWISE_SECRET_KEYS": TEST_SECRET_KEYS,
        }
    )
    with serving(lambda _: create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Browser]:
    with chromium() as found:
        yield found


@pytest.fixture
def offline(browser: Browser) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A browser context in which every request to another host is aborted and recorded."""
    with offline_context(browser, viewport={"width": 1280, "height": 900}) as found:
        yield found


def open_page(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """Open `url`; return the page and a live list of uncaught page errors."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(url, wait_until="load")
    assert response is not None, url
    assert response.ok, url
    return page, errors


def _document(base_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base_url}/schema/openapi.json", timeout=5) as resp:  # noqa: S310 - our own http URL
        schema: dict[str, Any] = json.load(resp)
    return schema


def webhooks(base_url: str) -> int:
    """The events described under `webhooks`: the pages show each like an operation."""
    return len(_document(base_url).get("webhooks", {}))


def operations(base_url: str) -> list[tuple[str, str]]:
    schema = _document(base_url)
    return [
        (method, path)
        for path, item in schema.get("paths", {}).items()
        for method in item
        if method in HTTP_METHODS
    ]


@pytest.mark.parametrize("path", ["/spec/v2", "/schema/swagger"])
def test_swagger_ui_renders_offline(
    path: str,
    base_url: str,
    offline: tuple[BrowserContext, list[str]],
    tmp_path: Path,
) -> None:
    context, foreign = offline
    page, errors = open_page(context, base_url + path)

    expect(page.locator(".info .title")).to_contain_text(TITLE, timeout=10_000)
    ops = operations(base_url)
    if ops:
        expect(page.locator(".opblock")).to_have_count(len(ops) + webhooks(base_url))
        for method, op_path in ops:
            block = page.locator(f".opblock-{method}").filter(
                has=page.locator(f'.opblock-summary-path[data-path="{op_path}"]')
            )
            expect(block.first).to_be_visible()
    else:
        expect(page.locator(".opblock")).to_have_count(0)
        expect(page.get_by_text("No operations defined in spec!")).to_be_visible()
    page.screenshot(path=tmp_path / "swagger.png", full_page=True)

    assert not errors, errors
    assert not foreign, f"requests to other hosts: {foreign}"


def test_redoc_renders_offline(
    base_url: str,
    offline: tuple[BrowserContext, list[str]],
    tmp_path: Path,
) -> None:
    context, foreign = offline
    page, errors = open_page(context, base_url + "/schema/redoc")

    expect(page.locator(".api-info h1")).to_contain_text(TITLE, timeout=10_000)
    ops = operations(base_url)
    sections = page.locator('[data-section-id^="operation/"], [data-section-id^="paths/"]')
    expect(sections).to_have_count(len(ops) + webhooks(base_url))
    page.screenshot(path=tmp_path / "redoc.png", full_page=True)

    assert not errors, errors
    assert not foreign, f"requests to other hosts: {foreign}"
