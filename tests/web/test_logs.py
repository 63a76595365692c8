"""The logs: one JSON access line per request with the request's ids, the same ids on every
other line of the request and of the jobs it enqueues, and nothing secret or personal."""

import io
import json
import logging
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.cli.dev import dev_defaults
from slotwise.jobs import Wakeup, after_commit, carrying_request_id, flush_after_commit, job_queue
from slotwise.kit.logs import configure_logging, log_context
from slotwise.settings import Settings, load_settings
from tests.support.bookings import at, book, make_type
from tests.support.factories import Side, attendee_body


class Captured:
    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]

    def access(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line["logger"] == "slotwise.access"]


@pytest.fixture
def captured(client: AsyncTestClient[Litestar]) -> Iterator[Captured]:
    """What the app writes, as JSON, from debug up (the app has started: its setup is replaced)."""
    found = Captured()
    configure_logging("debug", "json", stream=found.stream)
    yield found
    configure_logging("info", "json", stream=sys.stderr)


async def test_one_json_access_line_per_request_with_the_request_and_company(
    client: AsyncTestClient[Litestar], side_a: Side, captured: Captured
) -> None:
    user = f"/v4/user/{side_a.member_id}"
    response = await client.get(user, headers=side_a.tenant.headers(side_a.member_id))
    assert response.status_code == 200, response.text
    (line,) = captured.access()
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["company_id"] == str(side_a.tenant.company_id)
    assert line["level"] == "info"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/v4/user/{user_id}", 200)
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] > 0
    assert line["time"].endswith("+00:00")
    assert str(side_a.member_id) not in captured.text  # the template, not the path


async def test_an_incoming_request_id_is_kept_and_unmatched_paths_are_logged(
    client: AsyncTestClient[Litestar], captured: Captured
) -> None:
    response = await client.get("/no/such/path?q=1", headers={"x-request-id": "edge-42.a"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "edge-42.a"
    (line,) = captured.access()
    assert (line["request_id"], line["status"], line["route"]) == ("edge-42.a", 404, "(no route)")
    assert "company_id" not in line  # no credential, no company
    assert "/no/such/path" not in captured.text


async def test_a_failed_authentication_has_no_company(
    client: AsyncTestClient[Litestar], captured: Captured
) -> None:
    bad = {"authorization": "Bearer ak_live:" + uuid.uuid4().hex + ":nope"}
    response = await client.get("/v4/user/me", headers=bad)
    assert response.status_code == 401
    (line,) = captured.access()
    assert line["status"] == 401
    assert "company_id" not in line
    assert "nope" not in captured.text


async def test_health_probes_are_logged_at_debug_only(
    client: AsyncTestClient[Litestar], captured: Captured
) -> None:
    assert (await client.get("/health/live")).status_code == 200
    (line,) = captured.access()
    assert (line["level"], line["route"]) == ("debug", "/health/live")
    configure_logging("info", "json", stream=captured.stream)
    assert (await client.get("/health/live")).status_code == 200
    assert len(captured.access()) == 1  # nothing more at info


async def test_no_token_attendee_or_query_string_reaches_the_logs(
    client: AsyncTestClient[Litestar], side_a: Side, captured: Captured
) -> None:
    email = "grace.hopper.logs@private-mail.test"
    token = side_a.scheduling_pat.token
    mt = await make_type(client, side_a)
    created = await book(
        client,
        side_a,
        mt,
        at(10),
        headers={"authorization": f"Bearer {token}"},
        attendee=attendee_body(email, firstname="Gracelog", lastname="Hopperlog"),
    )
    secret = created["secret"]
    managed = await client.get(
        f"/v4/public/appointment/{created['appointmentId']}?lang=de&probe=sekrit-{secret[:8]}",
        headers={"x-appointment-secret": secret},
    )
    assert managed.status_code == 200, managed.text
    text = captured.text
    assert len(captured.access()) >= 3
    for private in (email, "Gracelog", "Hopperlog", token, secret, secret[:8], "sekrit", "lang=de"):
        assert private not in text
    assert any(line["route"] == "/v4/booking" for line in captured.access())


async def test_text_format_names_the_request_too(
    client: AsyncTestClient[Litestar], captured: Captured
) -> None:
    configure_logging("info", "text", stream=captured.stream)
    response = await client.get("/no/such/page")
    line = captured.text.strip()
    assert line.count("\n") == 0
    assert " INFO slotwise.access GET (no route) 404 " in line
    assert line.endswith(f"ms request_id={response.headers['x-request-id']}")


def test_dev_logs_text_unless_told_otherwise() -> None:
    assert dev_defaults(load_settings({})).log_format == "text"
    told = load_settings({"SLOTWISE_LOG_FORMAT": "json"})
    assert dev_defaults(told).log_format == "json"
    assert load_settings({}).log_format is None  # serve and worker: JSON


async def test_a_wakeup_carries_the_request_id_into_the_job(
    settings: Settings, captured: Captured
) -> None:
    """after_commit takes the request's id; the queued job holds it; the worker binds it for
    the job's lines and the job itself never sees it."""
    redis = Redis.from_url(settings.redis_url or "")
    queue = job_queue(redis)
    session = AsyncSession()
    try:
        with log_context("req-for-job"):
            after_commit(session, Wakeup("test.job", ("a1",), job_id=f"t:{uuid.uuid4()}"))
        await flush_after_commit(session, queue)
        (queued,) = await queue.queued_jobs()
    finally:
        await redis.flushdb()
        await redis.aclose()
        await session.close()
    assert (queued.function, list(queued.args)) == ("test.job", ["a1"])
    assert queued.kwargs == {"request_id": "req-for-job"}

    seen: list[tuple[Any, ...]] = []

    async def job(ctx: dict[str, Any], *args: Any) -> str:
        seen.append(args)
        logging.getLogger("slotwise.test").warning("inside the job")
        return "ok"

    from arq.worker import func

    wrapped = carrying_request_id(func(job, name="test.job"))
    assert await wrapped.coroutine({"job_try": 1}, *queued.args, **queued.kwargs) == "ok"
    assert seen == [("a1",)]
    inside, done = captured.lines()
    assert (inside["message"], inside["request_id"]) == ("inside the job", "req-for-job")
    assert (done["job"], done["outcome"], done["request_id"]) == ("test.job", "done", "req-for-job")
