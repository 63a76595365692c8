"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives and answers as
planned: the product's mail server in tests."""

import asyncio
import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the server took, and the replies it gives to the next messages (then 250)."""

    port: int
    received: list[bytes] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    #: replies for the next DATA commands, e.g. "451 4.3.0 Try again later"
    replies: list[str] = field(default_factory=list)
    #: seconds to wait before answering a message it took (a worker can die waiting)
    delay: float = 0.0
    #: seconds to stall on DATA before taking the message; a client gone by then sent nothing
    stall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.stall:
            await asyncio.sleep(self.stall)
            if server.transport is None or server.transport.is_closing():
                return "421 4.4.2 Connection lost"
        with self.lock:
            if self.replies:
                return self.replies.pop(0)
            self.received.append(bytes(envelope.original_content or envelope.content))
            self.recipients.append(list(envelope.rcpt_tos))
        if self.delay:  # taken, but the answer is late
            await asyncio.sleep(self.delay)
        return "250 2.0.0 OK"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            raw = list(self.received)
        return [email.message_from_bytes(data, policy=email.policy.default) for data in raw]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.messages()
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@contextmanager
def serving(inbox: Inbox) -> Iterator[Inbox]:
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@contextmanager
def running_smtp() -> Iterator[Inbox]:
    with serving(Inbox(free_port())) as inbox:
        yield inbox
