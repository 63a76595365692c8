"""The fuzzing gate: schemathesis runs every check against every operation of the committed
document, on a real server with real credentials, and must find nothing.

Every check is on by default; the configuration turns one off for one operation, with its
reason (`--checks all` on the command line would override that).

Two runs: a platform key acting for the company's owner (examples, coverage, fuzzing and
stateful phases, following the document's links), and an admin's personal access token naming
its own user. The public routes are fuzzed in both with real targets, so requests reach past
the lookup: a booking page's slugs, a one-time link's token, and an appointment with its secret
(one for cancelling, one for everything else, so a cancel does not end the other operations'
deep paths). The allowances are in tests/fuzz.toml, each with its reason. The token run is in
tests/test_fuzzing_token.py, so the two runs take a test process each. `FUZZ_EXAMPLES`
raises the examples per operation (10 by default, which keeps CI within a few minutes).
"""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis

from slotwise.app import create_app
from slotwise.bookings.schemas import BookingCreated
from slotwise.cli.migrate import upgrade
from slotwise.settings import Settings, load_settings
from tests.conftest import TEST_REDIS_DB, TEST_SECRET_KEYS, scratch_database, with_redis_db
from tests.support.bookings import fetch
from tests.support.browser import serving
from tests.support.factories import Side, book, make_api_key, make_one_time_link, make_side

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tests" / "fuzz.toml"
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "10")


async def _flush(url: str) -> None:
    redis = Redis.from_url(url)
    await redis.flushdb()
    await redis.aclose()


async def _public_targets(settings: Settings, side: Side) -> dict[str, str]:
    """The booking page of the member's meeting type, a one-time link to it, and two
    appointments with their secrets."""
    meeting_type = side.member_scheduling.meeting_type_id
    booked = [
        await book(settings, side.tenant, meeting_type, start, ignore_availability=True)
        for start in (datetime(2031, 3, 3, 9, tzinfo=UTC), datetime(2031, 3, 4, 9, tzinfo=UTC))
    ]
    assert all(isinstance(b, BookingCreated) for b in booked)
    (slugs,) = await fetch(
        settings,
        'SELECT u.slug AS user_slug, m.slug AS type_slug FROM meeting_type m JOIN "user" u'
        " ON u.id = m.user_id WHERE m.id = $1",
        meeting_type,
    )
    cancel, other = (b for b in booked if isinstance(b, BookingCreated))
    link = await make_one_time_link(settings, side.tenant, meeting_type)
    return {
        "FUZZ_LINK_TOKEN": link.token,
        "FUZZ_USER_SLUG": slugs["user_slug"],
        "FUZZ_TYPE_SLUG": slugs["type_slug"],
        "FUZZ_APPOINTMENT": str(other.appointment_id),
        "FUZZ_SECRET": other.secret,
        "FUZZ_CANCEL_APPOINTMENT": str(cancel.appointment_id),
        "FUZZ_CANCEL_SECRET": cancel.secret,
    }


@pytest.fixture(scope="module")
def fuzz_target(service_urls: tuple[str, str]) -> Iterator[tuple[str, Side, dict[str, str]]]:
    """The app on a local port over a database of its own (the fuzzer writes thousands of
    rows), rate limiting off (one client sends everything), with one company set up."""
    with scratch_database(service_urls[0], "slotwise_fuzz") as url:
        upgrade(url)
        settings: Settings = load_settings(
            {},
            database_url=url,
            redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
            argon2_profile="cheapest",
            rate_limit_enabled=False,
            db_pool_size=5,
            secret_keys=TEST_SECRET_KEYS,
        )
        side = asyncio.run(make_side(settings, "Fuzz"))
        spare = asyncio.run(make_api_key(settings, side.tenant))
        env = {"FUZZ_SPARE_KEY": str(spare.id)} | asyncio.run(_public_targets(settings, side))
        try:
            with serving(lambda _: create_app(settings)) as base_url:
                yield base_url, side, env
        finally:
            asyncio.run(_flush(settings.redis_url or ""))


def _schemathesis(base_url: str, env: dict[str, str], *options: str) -> None:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/schema/openapi.json",
        "--max-examples",
        EXAMPLES,
        *options,
    ]
    done = subprocess.run(
        command,
        check=False,
        cwd=ROOT,
        env=os.environ | env | {"NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-5000:]
    assert f"Tested: {_operations()}" in done.stdout, done.stdout[-3000:]


def _operations() -> int:
    """How many operations the committed document has: each one must have been tested."""
    document = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    return sum(
        method in {"get", "put", "post", "patch", "delete"}
        for path_item in document["paths"].values()
        for method in path_item
    )


def test_a_platform_key_finds_nothing(fuzz_target: tuple[str, Side, dict[str, str]]) -> None:
    base_url, side, targets = fuzz_target
    env = {"FUZZ_KEY": side.tenant.api_key, "FUZZ_USER": str(side.tenant.owner_id)}
    _schemathesis(base_url, env | targets)
