"""`slotwise serve` with two worker processes: a scrape, answered by either, counts the requests
both served (their values meet in PROMETHEUS_MULTIPROC_DIR, emptied when the server starts)."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from slotwise.settings import Settings
from tests.support.metrics import AUTH, TOKEN, scraped
from tests.support.servers import running_server

pytestmark = pytest.mark.slow

LIVE = {"route": "/health/live", "method": "GET", "status": "200"}


def served_by_each_process(folder: Path) -> list[float]:
    """Per process file: how many /health/live requests it counted."""
    counts = []
    for path in sorted(folder.glob("counter_*.db")):
        for family in MultiProcessCollector.merge([str(path)]):
            counts.extend(
                sample.value
                for sample in family.samples
                if sample.name == "slotwise_http_requests_total" and sample.labels == LIVE
            )
    return [count for count in counts if count]


def test_requests_of_both_workers_are_counted(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left over by an earlier run")
    env = {"SLOTWISE_METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    sent = 0
    with running_server(settings, "granian", extra_env=env, workers=2) as base:
        assert not (folder / "counter_1.db").exists()

        def hit(_: int) -> int:
            # a connection each, so the kernel spreads them over both workers' sockets
            return httpx.get(f"{base}/health/live", timeout=5).status_code

        with ThreadPoolExecutor(8) as pool:
            while len(served_by_each_process(folder)) < 2 and sent < 400:
                assert set(pool.map(hit, range(20))) == {200}
                sent += 20
        per_process = served_by_each_process(folder)
        assert len(per_process) == 2, per_process
        assert sum(per_process) == sent
        for _ in range(4):  # whichever worker answers, it reports both
            text = httpx.get(f"{base}/metrics", headers=AUTH, timeout=5).text
            assert scraped(text, "slotwise_http_requests_total", **LIVE) == sent
            count = "slotwise_http_request_duration_seconds_count"
            assert scraped(text, count, **LIVE) == sent
