"""Headless Chromium (Debian's) for page tests: the app served on a local port, and browser
contexts in which every request to another host is aborted and recorded."""

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from litestar import Litestar
from playwright.sync_api import Browser, BrowserContext, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
HOST = "127.0.0.1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: requests that bypass Playwright routing cannot resolve any other host.
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {HOST}",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, able to reach nothing but this machine's loopback."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed: apt-get install chromium")


@contextmanager
def serving(build: Callable[[str], Litestar]) -> Iterator[str]:
    """Run the app `build(base_url)` returns with uvicorn in a thread; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    base_url = f"http://{HOST}:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(build(base_url), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def is_foreign(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname != HOST


@contextmanager
def offline_context(browser: Browser, **options: Any) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A context whose requests to other hosts are aborted and listed in the second item."""
    context = browser.new_context(**options)
    foreign: list[str] = []

    def guard(route: Route) -> None:
        if is_foreign(route.request.url):
            foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    context.on("request", lambda req: foreign.append(req.url) if is_foreign(req.url) else None)
    try:
        yield context, foreign
    finally:
        context.close()
