"""A job a request enqueued logs, in the real worker process, under the request's id."""

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from slotwise.webhooks.events import DELIVER
from tests.support.factories import Tenant
from tests.support.webhook_receiver import Receiver
from tests.support.worker_process import running_worker

pytestmark = pytest.mark.slow


def _job_lines(path: str) -> list[dict[str, Any]]:
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


async def test_the_worker_logs_a_requests_job_under_the_requests_id(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant, receiver: Receiver
) -> None:
    hook = {"endpoint": receiver.url(), "eventTypes": ["new_employee"]}
    created = await client.post("/v4/webhooks", json=hook, headers=tenant.headers())
    assert created.status_code == 201, created.text
    email = "job.logs@hooks.test"
    user = {"email": email, "givenName": "Jo", "familyName": "Logs", "timezone": "UTC"}
    with running_worker(settings, SLOTWISE_LOG_FORMAT="json") as worker:
        response = await client.post("/v4/user", json=user, headers=tenant.headers())
        assert response.status_code == 201, response.text
        request_id = response.headers["x-request-id"]
        await asyncio.to_thread(receiver.wait_for, 1)
        deadline = time.monotonic() + 10
        while True:
            lines = await asyncio.to_thread(_job_lines, worker.log)
            # The worker may also sweep up an earlier test's leftover delivery, logged under
            # that test's request: only this request's job is looked for.
            ours = [
                line
                for line in lines
                if line.get("job") == DELIVER and line.get("request_id") == request_id
            ]
            if ours or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
    assert ours, lines
    assert (ours[0]["outcome"], ours[0]["level"]) == ("done", "info")
    assert email not in json.dumps(lines)
