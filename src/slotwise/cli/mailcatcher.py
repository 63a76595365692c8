"""The development mail server of `slotwise dev`: it takes every mail on 127.0.0.1, writes it as
an `.eml` file under the data folder and prints one line per mail, so a newcomer sees (and can
open) what invitees and hosts would receive without configuring SMTP."""

import asyncio
import email
import email.policy
import sys
import time
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP


class Catcher:
    """aiosmtpd handler: one file per message, named by time so a listing is in order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = bytes(envelope.original_content or envelope.content)
        message = email.message_from_bytes(content, policy=email.policy.default)
        path = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}.eml"
        path.write_bytes(content)
        to = ", ".join(envelope.rcpt_tos)
        print(f"slotwise dev: mail to {to}: {message['subject']}  ({path})", file=sys.stderr)
        return "250 2.0.0 Caught"


async def start_catcher(folder: Path, port: int) -> asyncio.Server:
    """Listen on 127.0.0.1:`port` until the returned server is closed."""
    catcher = Catcher(folder)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(catcher, hostname="slotwise-dev", ident="slotwise dev mail catcher"),
        host="127.0.0.1",
        port=port,
    )
