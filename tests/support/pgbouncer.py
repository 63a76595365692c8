"""A real PgBouncer in transaction pooling in front of the test database server."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from tests.support.servers import free_port

#: where Debian's package puts it (not on a plain user's PATH)
BINARIES = ("pgbouncer", "/usr/sbin/pgbouncer")
#: what every server connection PgBouncer opens calls itself, so tests can count them
APPLICATION_NAME = "slotwise-pgbouncer"


def pgbouncer_binary() -> str:
    for name in BINARIES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)")


def _upstream(database_url: str) -> tuple[str, int, str]:
    """The host (or socket folder), port and user the database URL reaches."""
    url = urlsplit(database_url)
    host = parse_qs(url.query).get("host", [url.hostname or "127.0.0.1"])[0]
    return host, url.port or 5432, url.username or "postgres"


def _run_as() -> list[str]:
    """PgBouncer refuses to run as root: then it runs as the server's or nobody's user."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["-u", user]
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


def _wait_for(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while True:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"pgbouncer did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)


@contextmanager
def running_pgbouncer(database_url: str, *, pool_size: int = 4) -> Iterator[str]:
    """PgBouncer in transaction pooling with `pool_size` server connections per database;
    yields `database_url` with its address in place of the server's."""
    host, port, user = _upstream(database_url)
    listen = free_port()
    folder = Path(tempfile.mkdtemp(prefix="slotwise-pgbouncer-"))
    folder.chmod(0o755)  # readable by the user it runs as
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={host} port={port} application_name={APPLICATION_NAME}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {listen}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'userlist.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 500\n"
        "server_round_robin = 1\n"
    )
    for name in ("userlist.txt", "pgbouncer.ini"):
        (folder / name).chmod(0o644)
    log = folder / "stderr.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [pgbouncer_binary(), *_run_as(), str(folder / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        _wait_for(listen, proc, log)
        url = urlsplit(database_url)
        netloc = f"{url.username}@127.0.0.1:{listen}" if url.username else f"127.0.0.1:{listen}"
        yield urlunsplit(url._replace(netloc=netloc, query=""))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
