"""A logo given as `logoUrl`: checked when saved, downloaded by the worker with no database
connection held, served by slotwise; failures are reported and keep the previous logo."""

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import msgspec
import pytest
from arq import ArqRedis
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.app import create_app
from slotwise.companies.jobs import LogoImporter, sweep_logo_imports
from slotwise.jobs import create_job_pool
from slotwise.models import LogoStatus
from slotwise.settings import Settings
from tests.support.bookings import make_type
from tests.support.factories import Side
from tests.support.images import png
from tests.support.webhook_receiver import Receiver, Reply
from tests.support.worker_process import running_worker

Client = AsyncTestClient[Litestar]
PATH = "/v4/company/branding"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Imports may reach the local test server (plain http on 127.0.0.1)."""
    return msgspec.structs.replace(settings, image_import_allow_private_networks=True)


@pytest.fixture
def importer(sessions: async_sessionmaker[AsyncSession]) -> LogoImporter:
    return LogoImporter(sessions, allow_private=True, timeout_seconds=1)


@pytest.fixture
async def queue(settings: Settings) -> AsyncIterator[ArqRedis]:
    pool = await create_job_pool(settings)
    yield pool
    await pool.aclose()


async def point_logo_at(client: Client, side: Side, url: str | None) -> dict[str, Any]:
    response = await client.patch(PATH, json={"logoUrl": url}, headers=side.tenant.headers())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def page_logo(client: Client, side: Side) -> bytes | None:
    """The logo the booking page shows, fetched the way a browser would; None without one."""
    meeting_type = await make_type(client, side)
    page = (await client.get(urlsplit(meeting_type["bookingUrl"]).path)).text
    found = re.search(rf'src="(/brand/{side.tenant.company_id}/logo\?v=[0-9a-f]+)"', page)
    if found is None:
        return None
    served = await client.get(found.group(1))
    assert served.status_code == 200
    return served.content


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://logo.example/a.png", "https"),
        ("https://127.0.0.1/a.png", "loopback"),
        ("https://10.1.2.3/a.png", "private"),
        ("https://169.254.169.254/latest", "metadata"),
        ("https://localhost/a.png", "loopback"),
        ("https://user:pw@logo.example/a.png", "password"),
        ("https:///logo.png", "host"),
        ("a logo", "spaces"),
    ],
)
async def test_logo_urls_are_checked_when_saved(
    side_a: Side, settings: Settings, url: str, words: str
) -> None:
    strict = msgspec.structs.replace(settings, image_import_allow_private_networks=False)
    async with AsyncTestClient(create_app(strict)) as production:
        before = (await production.get(PATH, headers=side_a.tenant.headers())).json()
        response = await production.patch(
            PATH,
            json={"logoUrl": url, "displayName": "Changed"},
            headers=side_a.tenant.headers(),
        )
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["field"] == "logoUrl"
        assert words in error["message"]
        assert (await production.get(PATH, headers=side_a.tenant.headers())).json() == before


async def test_an_imported_logo_is_served_by_slotwise(
    client: Client, side_a: Side, receiver: Receiver, importer: LogoImporter
) -> None:
    image = png(6, 3)
    receiver.plan("/brand/logo.png", Reply(body=image, headers={"content-type": "image/png"}))
    receiver.plan("/moved", Reply(status=302, headers={"location": "/brand/logo.png"}, body=b""))
    source = receiver.url("/moved")
    saved = await point_logo_at(client, side_a, source)
    assert saved["logoUrl"] == source
    assert saved["logoStatus"] == "pending"
    assert await page_logo(client, side_a) is None
    assert await importer.run(side_a.tenant.company_id) == LogoStatus.READY
    assert [r.path for r in receiver.received] == ["/moved", "/brand/logo.png"]
    assert receiver.received[0].headers["accept"].startswith("image/")
    now = (await client.get(PATH, headers=side_a.tenant.headers())).json()
    assert (now["logoUrl"], now["logoStatus"], now["logoError"]) == (source, "ready", None)
    assert await page_logo(client, side_a) == image
    # nothing left to do: a repeated wake-up does not download again
    assert await importer.run(side_a.tenant.company_id) is None
    assert len(receiver.received) == 2
    cleared = await point_logo_at(client, side_a, None)
    assert (cleared["logoUrl"], cleared["logoStatus"]) == (None, None)
    assert await page_logo(client, side_a) is None


@pytest.mark.parametrize(
    ("replies", "error"),
    [
        ([Reply(status=404, body=b"gone")], "answered HTTP 404"),
        ([Reply(body=b"<html>not an image</html>")], "PNG, JPEG, GIF or WebP"),
        ([Reply(body=png() + b"\x00" * (256 * 1024))], "larger than 256 KB"),
        ([Reply(status=302, headers={"location": "/logo"}, body=b"")], "redirects more than 3"),
        ([Reply(delay=2, body=png())], "did not answer within 1 s"),
    ],
    ids=["404", "html", "too-big", "redirect-loop", "slow"],
)
async def test_a_failed_import_says_why_and_keeps_the_previous_logo(
    *,
    client: Client,
    side_a: Side,
    receiver: Receiver,
    importer: LogoImporter,
    replies: list[Reply],
    error: str,
) -> None:
    old = png(2, 2)
    upload = await client.put(
        f"{PATH}/logo", content=old, headers=side_a.tenant.headers() | {"content-type": "image/png"}
    )
    assert upload.status_code == 200
    receiver.plan("/logo", *replies)
    await point_logo_at(client, side_a, receiver.url("/logo"))
    assert await importer.run(side_a.tenant.company_id) == LogoStatus.FAILED
    now = (await client.get(PATH, headers=side_a.tenant.headers())).json()
    assert now["logoStatus"] == "failed"
    assert error in now["logoError"]
    assert now["logoUrl"] == receiver.url("/logo")
    assert await page_logo(client, side_a) == old


async def test_the_worker_imports_at_once_and_sweeps_up_lost_wakeups(
    *,
    client: Client,
    side_a: Side,
    side_b: Side,
    receiver: Receiver,
    settings: Settings,
    queue: ArqRedis,
) -> None:
    first, second = png(3, 3), png(5, 5)
    receiver.plan("/a.png", Reply(body=first))
    receiver.plan("/b.png", Reply(body=second))
    # company B's wake-up is lost (Redis forgot it) and its row waited long enough for the sweep
    await point_logo_at(client, side_b, receiver.url("/b.png"))
    await queue.delete("arq:queue", *(await queue.keys("arq:job:logo:*")))
    assert settings.database_url is not None
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute(
            "UPDATE company_branding SET updated_at = now() - interval '5 minutes' "
            "WHERE company_id = $1",
            side_b.tenant.company_id,
        )
    finally:
        await conn.close()
    with running_worker(settings):
        await point_logo_at(client, side_a, receiver.url("/a.png"))
        deadline = time.monotonic() + 20
        states: dict[uuid.UUID, str | None] = {}
        while time.monotonic() < deadline:
            for side in (side_a, side_b):
                body = (await client.get(PATH, headers=side.tenant.headers())).json()
                states[side.tenant.company_id] = body["logoStatus"]
            if set(states.values()) == {"ready"}:
                break
            await asyncio.sleep(0.1)
    assert states == {side_a.tenant.company_id: "ready", side_b.tenant.company_id: "ready"}
    assert await page_logo(client, side_a) == first
    assert await page_logo(client, side_b) == second


async def test_the_sweep_leaves_fresh_and_finished_imports_alone(
    client: Client,
    side_a: Side,
    receiver: Receiver,
    sessions: async_sessionmaker[AsyncSession],
    queue: ArqRedis,
) -> None:
    receiver.plan("/a.png", Reply(body=png()))
    await point_logo_at(client, side_a, receiver.url("/a.png"))
    assert await sweep_logo_imports({"sessionmaker": sessions, "redis": queue}) == 0
