"""SIGTERM to real `slotwise serve` and `slotwise worker` processes: the server stops taking
connections and finishes the request in flight; the worker finishes its delivery, or, when the
shutdown timeout is shorter than the endpoint's answer, gives it up at once for another worker
to send (not after its lease). Both exit with 0 within the bound."""

import asyncio
import signal
import subprocess
import threading
import time
import uuid
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar

from slotwise.settings import Settings
from tests.support.bookings import fetch
from tests.support.factories import make_delivery, make_tenant, make_webhook
from tests.support.servers import server_process
from tests.support.webhook_receiver import Receiver, Reply
from tests.support.worker_process import running_worker

pytestmark = pytest.mark.slow

#: the shutdown timeout the server gets
BOUND = 6
#: how long a process may take to exit on top of its shutdown timeout
EXIT_SLACK = 3.0


def _post_in_thread(url: str, headers: dict[str, str]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []

    def run() -> None:
        try:
            result.append(httpx.post(url, headers=headers, timeout=30))
        except httpx.HTTPError as exc:
            result.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def _refused(url: str) -> bool:
    try:
        httpx.get(url, timeout=2)
    except httpx.ConnectError:
        return True
    return False


def _exit_after(proc: subprocess.Popen[bytes], started: float) -> float:
    """Wait for the process to exit with 0; the seconds since `started`."""
    code = proc.wait(timeout=60)
    assert code == 0, code
    return time.monotonic() - started


async def test_sigterm_to_serve_finishes_the_request_in_flight_and_refuses_new_ones(
    app: Litestar, settings: Settings, receiver: Receiver
) -> None:
    tenant = await make_tenant(settings, "Drain")
    endpoint = await make_webhook(settings, tenant, url=receiver.url("/slow"), timeout_seconds=10)
    receiver.plan("/slow", Reply(delay=3.0))
    env = {
        "SLOTWISE_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
        "SLOTWISE_SHUTDOWN_TIMEOUT_SECONDS": str(BOUND),
    }
    with server_process(settings, "granian", env) as running:
        # the test ping holds its request until the endpoint answers
        url = f"{running.base}/v4/webhooks/{endpoint.id}/test"
        thread, result = _post_in_thread(url, tenant.headers())
        assert await asyncio.to_thread(receiver.wait_for, 1, "/slow"), "no ping arrived"
        running.proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        await asyncio.sleep(0.5)
        assert await asyncio.to_thread(_refused, f"{running.base}/health/live")
        await asyncio.to_thread(thread.join, 15)
        [response] = result
        assert isinstance(response, httpx.Response), response
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "delivered", response.text
        took = await asyncio.to_thread(_exit_after, running.proc, signalled)
        assert took < BOUND + EXIT_SLACK, f"exited {took:.1f} s after SIGTERM"


async def test_serve_stops_within_its_timeout_when_a_request_runs_longer(
    app: Litestar, settings: Settings, receiver: Receiver
) -> None:
    tenant = await make_tenant(settings, "Bounded")
    endpoint = await make_webhook(settings, tenant, url=receiver.url("/slower"), timeout_seconds=20)
    receiver.plan("/slower", Reply(delay=15.0))
    env = {
        "SLOTWISE_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
        "SLOTWISE_SHUTDOWN_TIMEOUT_SECONDS": "2",
    }
    with server_process(settings, "granian", env) as running:
        url = f"{running.base}/v4/webhooks/{endpoint.id}/test"
        thread, result = _post_in_thread(url, tenant.headers())
        assert await asyncio.to_thread(receiver.wait_for, 1, "/slower"), "no ping arrived"
        running.proc.send_signal(signal.SIGTERM)
        took = await asyncio.to_thread(_exit_after, running.proc, time.monotonic())
        assert took < 2 + EXIT_SLACK, f"exited {took:.1f} s after SIGTERM"
        await asyncio.to_thread(thread.join, 15)
        [cut] = result
        assert isinstance(cut, httpx.HTTPError), cut


async def _delivery(settings: Settings, delivery_id: uuid.UUID) -> dict[str, Any]:
    [row] = await fetch(
        settings,
        "SELECT status::text AS status, attempts,"
        " (SELECT count(*) FROM webhook_attempt a WHERE a.delivery_id = d.id) AS recorded"
        " FROM webhook_delivery d WHERE id = $1",
        delivery_id,
    )
    return dict(row)


async def _delivered(settings: Settings, delivery_id: uuid.UUID, within: float) -> None:
    """Wait for the delivery to be recorded delivered, for up to `within` seconds."""
    deadline = time.monotonic() + within
    while (row := await _delivery(settings, delivery_id))["status"] != "delivered":
        assert time.monotonic() < deadline, row
        await asyncio.sleep(0.1)


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings, webhook_allow_private_networks=True, webhook_relay_seconds=1
    )


async def test_a_worker_told_to_stop_finishes_the_delivery_in_flight(
    app: Litestar, worker_settings: Settings, receiver: Receiver
) -> None:
    settings = worker_settings
    tenant = await make_tenant(settings, "Finish")
    await make_webhook(settings, tenant, url=receiver.url("/hook"), timeout_seconds=10)
    receiver.plan("/hook", Reply(delay=2.0))
    [delivery_id] = await make_delivery(settings, tenant)
    with running_worker(settings, SLOTWISE_SHUTDOWN_TIMEOUT_SECONDS="8") as worker:
        assert await asyncio.to_thread(receiver.wait_for, 1, "/hook"), worker.output()
        worker.proc.send_signal(signal.SIGTERM)
        took = await asyncio.to_thread(_exit_after, worker.proc, time.monotonic())
    assert took < 8, f"exited {took:.1f} s after SIGTERM"
    assert await _delivery(settings, delivery_id) == {
        "status": "delivered",
        "attempts": 1,
        "recorded": 1,
    }
    assert len(receiver.on("/hook")) == 1


async def test_a_worker_cut_short_gives_its_delivery_to_another_at_once(
    app: Litestar, worker_settings: Settings, receiver: Receiver
) -> None:
    settings = worker_settings
    tenant = await make_tenant(settings, "Handover")
    # the first answer would come long after the worker's shutdown timeout (and after the
    # second worker has started), the next at once
    await make_webhook(settings, tenant, url=receiver.url("/hook"), timeout_seconds=30)
    receiver.plan("/hook", Reply(delay=25.0), Reply())
    [delivery_id] = await make_delivery(settings, tenant)
    with running_worker(settings, SLOTWISE_SHUTDOWN_TIMEOUT_SECONDS="1") as first:
        assert await asyncio.to_thread(receiver.wait_for, 1, "/hook"), first.output()
        with running_worker(settings) as second:
            first.proc.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            took = await asyncio.to_thread(_exit_after, first.proc, signalled)
            assert took < 1 + EXIT_SLACK, f"exited {took:.1f} s after SIGTERM"
            # far sooner than the lease the first worker took (30 s timeout + 30 s margin)
            await _delivered(settings, delivery_id, within=8)
            assert time.monotonic() - signalled < 10, second.output()
    hooks = receiver.on("/hook")
    assert len(hooks) == 2
    assert len({hook.headers["webhook-id"] for hook in hooks}) == 1
    # the attempt given back is not counted: one attempt, recorded by the second worker
    assert await _delivery(settings, delivery_id) == {
        "status": "delivered",
        "attempts": 1,
        "recorded": 1,
    }
