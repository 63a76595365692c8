"""A real CalDAV server for the tests: Radicale (from PyPI) in a subprocess on a free port.

One user with a password (htpasswd, plain), data in a temporary folder that survives a stop
and start, so a test can take the server away and bring it back with everything in it.
"""

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

USER = "host"
PASSWORD = "s3cret-horse"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Radicale:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        (folder / "users").write_text(f"{USER}:{PASSWORD}\n")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def add_user(self, name: str, password: str = PASSWORD) -> None:
        """Another account (the server reads the password file on every login)."""
        with (self.folder / "users").open("a") as users:
            users.write(f"{name}:{password}\n")

    def calendar_url(self, name: str, user: str = USER) -> str:
        return f"{self.url}{user}/{name}/"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "radicale",
                "--server-hosts",
                f"127.0.0.1:{self.port}",
                "--auth-type",
                "htpasswd",
                "--auth-htpasswd-filename",
                str(self.folder / "users"),
                "--auth-htpasswd-encryption",
                "plain",
                "--auth-delay",
                "0",
                "--rights-type",
                "owner_only",
                "--storage-filesystem-folder",
                str(self.folder / "collections"),
                "--logging-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("Radicale did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self, user: str = USER) -> httpx.Client:
        return httpx.Client(auth=(user, PASSWORD), timeout=10)

    def make_calendar(self, name: str, display: str, user: str = USER) -> str:
        body = (
            '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
            f"<D:displayname>{display}</D:displayname></D:prop></D:set></C:mkcalendar>"
        )
        url = self.calendar_url(name, user)
        with self.client(user) as client:
            response = client.request("MKCALENDAR", url, content=body)
            assert response.status_code == 201, response.text
        return url

    @staticmethod
    def _owner(url: str) -> str:
        return url.split("/")[3]

    def put_event(self, calendar: str, uid: str, ics: str) -> None:
        with self.client(self._owner(calendar)) as client:
            response = client.put(
                f"{calendar}{uid}.ics",
                content=ics.replace("\n", "\r\n").encode(),
                headers={"content-type": "text/calendar"},
            )
            assert response.status_code in (201, 204), response.text

    def delete_event(self, calendar: str, uid: str) -> None:
        with self.client(self._owner(calendar)) as client:
            assert client.delete(f"{calendar}{uid}.ics").status_code in (200, 204)

    def get(self, url: str) -> httpx.Response:
        with self.client(self._owner(url)) as client:
            return client.get(url)


@contextmanager
def running_radicale() -> Iterator[Radicale]:
    with tempfile.TemporaryDirectory(prefix="slotwise-radicale-") as folder:
        server = Radicale(Path(folder))
        server.start()
        try:
            yield server
        finally:
            server.stop()


def vevent(uid: str, start: str, end: str, *extra: str) -> str:
    """A VCALENDAR with one event; `start`/`end` as iCalendar values (`;TZID=…:…` or `:…Z`);
    an empty `end` leaves DTEND out (an all-day event is then one day)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//tests//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20260101T000000Z",
        f"DTSTART{start}",
        *([f"DTEND{end}"] if end else []),
        "SUMMARY:Dentist",
        *extra,
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    return "\n".join(lines)
