"""The metrics kit: the token check, the worker's metrics port, the server's metrics directory,
the settings that turn metrics on, and the slot cache's hit and miss counts."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from slotwise.kit import metrics
from slotwise.kit.metrics_dir import MULTIPROC_DIR, multiprocess_dir
from slotwise.settings import SettingsError, load_settings
from slotwise.slots.cache import SlotCache
from slotwise.slots.repository import HostVersion
from tests.support.metrics import AUTH, TOKEN, local, scraped
from tests.support.servers import free_port


def test_only_the_bearer_token_matches() -> None:
    assert metrics.token_matches(f"Bearer {TOKEN}", TOKEN)
    assert metrics.token_matches(f"bearer {TOKEN}", TOKEN)
    for header in (None, "", TOKEN, f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x"):
        assert not metrics.token_matches(header, TOKEN), header


def test_the_worker_port_answers_the_token_only() -> None:
    port = free_port()
    server = metrics.serve_in_thread("127.0.0.1", port, TOKEN)
    try:
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/metrics", timeout=5).status_code == 401
        wrong = {"authorization": "Bearer nope"}
        assert httpx.get(f"{base}/metrics", headers=wrong, timeout=5).status_code == 401
        assert httpx.get(f"{base}/other", headers=AUTH, timeout=5).status_code == 404
        answered = httpx.get(f"{base}/metrics", headers=AUTH, timeout=5)
        assert answered.status_code == 200
        assert "# TYPE slotwise_job_duration_seconds histogram" in answered.text
    finally:
        metrics.stop_serving(server)


def test_the_server_directory_is_made_or_emptied(tmp_path: Path) -> None:
    environ: dict[str, str] = {}
    with multiprocess_dir(environ) as made:
        assert environ[MULTIPROC_DIR] == made
        assert Path(made).is_dir()
    assert MULTIPROC_DIR not in environ
    assert not Path(made).exists()

    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"stale")
    (given / "README").write_text("kept")
    environ = {MULTIPROC_DIR: str(given)}
    with multiprocess_dir(environ) as used:
        assert used == str(given)
        assert [p.name for p in given.iterdir()] == ["README"]
    assert given.is_dir()  # an operator's directory stays


def test_settings_keep_metrics_private() -> None:
    keys = {"SLOTWISE_SECRET_KEYS": ""}
    assert load_settings(keys).metrics_token is None
    with pytest.raises(SettingsError, match="SLOTWISE_METRICS_TOKEN"):
        load_settings(keys | {"SLOTWISE_METRICS_TOKEN": "short"})
    with pytest.raises(SettingsError, match="needs SLOTWISE_METRICS_TOKEN"):
        load_settings(keys | {"SLOTWISE_WORKER_METRICS_PORT": "9101"})
    both = load_settings(
        keys | {"SLOTWISE_WORKER_METRICS_PORT": "9101", "SLOTWISE_METRICS_TOKEN": TOKEN}
    )
    assert both.worker_metrics_port == 9101


def test_slot_cache_lookups_are_counted() -> None:
    hits, misses = (
        local("slotwise_slot_cache_lookups_total", result="hit"),
        local("slotwise_slot_cache_lookups_total", result="miss"),
    )
    cache = SlotCache(4)
    stamp, now = HostVersion(uuid.uuid4(), 1), datetime.now(UTC)
    assert cache.get("key", stamp, now) is None
    cache.put("key", stamp, now + timedelta(minutes=1), b"[]")
    assert cache.get("key", stamp, now) == b"[]"
    assert cache.get("key", HostVersion(stamp.host_id, 2), now) is None
    assert local("slotwise_slot_cache_lookups_total", result="hit") - hits == 1
    assert local("slotwise_slot_cache_lookups_total", result="miss") - misses == 2
    text = metrics.exposition().decode()
    assert scraped(text, "slotwise_slot_cache_lookups_total", result="hit") >= 1
