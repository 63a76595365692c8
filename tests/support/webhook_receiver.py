"""A real HTTP server on 127.0.0.1 that records what the product sends it (webhook deliveries,
image downloads) and answers as planned."""

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    #: time.time() when the body had been read
    at: float


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds to wait before answering
    delay: float = 0.0
    body: bytes = b"ok"


class Receiver:
    """Answers each path with its planned replies in turn (the last one repeats)."""

    def __init__(self, server: ThreadingHTTPServer, *, scheme: str = "http") -> None:
        self.server = server
        self.scheme = scheme
        self.received: list[Received] = []
        self.connections = 0
        self._plans: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/hook") -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def plan(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._plans[path] = list(replies)

    def reply_for(self, path: str) -> Reply:
        with self._lock:
            replies = self._plans.get(path) or [Reply()]
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def on(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def wait_for(
        self, count: int, path: str | None = None, timeout: float = 10.0
    ) -> list[Received]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.on(path) if path else list(self.received)
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.02)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.answer(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            if len(body) < length:  # the sender died mid-body: no request, as for any server
                self.close_connection = True
                return
            self.answer(body)

        def answer(self, body: bytes) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.record(Received(self.path, headers, body, time.time()))
            reply = receiver.reply_for(self.path)
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver

    def verify_request(self, request: Any, client_address: Any) -> bool:
        self.receiver.connections += 1
        return True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that went away mid-reply (a killed worker) is expected here


@contextmanager
def running_receiver(tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """A receiver on a free port; with `tls`, an https one using that server context."""
    server = _Server(("127.0.0.1", 0), BaseHTTPRequestHandler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver = Receiver(server, scheme="https" if tls is not None else "http")
    server.receiver = receiver
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
