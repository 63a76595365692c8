"""Webhook jobs: `webhooks.deliver` sends one attempt, `webhooks.relay` wakes due deliveries.

Both only act on what the rows say. A deliver job for an attempt that is done, not due or
claimed elsewhere returns at once, so duplicate wake-ups (after-commit, relay, arq re-runs after
a crash) are harmless; the relay finds every due row whether or not a wake-up got through.
"""

import logging
import uuid
from typing import Any

from slotwise.jobs import enqueue
from slotwise.settings import Settings
from slotwise.webhooks.delivery import Deliverer, longest_job_seconds
from slotwise.webhooks.events import deliver_wakeup
from slotwise.webhooks.sender import Sender

RELAY = "webhooks.relay"
#: added to the longest a deliver job can take, so arq never cancels one mid-send (a cancelled
#: attempt is sent again by the next worker: a duplicate)
DELIVER_TIMEOUT_SLACK_SECONDS = 10


def deliver_timeout_seconds(settings: Settings) -> int:
    """arq's timeout for a deliver job, longer than the longest it can take."""
    return int(longest_job_seconds(settings)) + DELIVER_TIMEOUT_SLACK_SECONDS


log = logging.getLogger("slotwise.webhooks")


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    sender = Sender(allow_private=settings.webhook_allow_private_networks)
    ctx["webhooks"] = Deliverer(ctx["sessionmaker"], sender, settings)


async def shutdown(ctx: dict[str, Any]) -> None:
    deliverer: Deliverer | None = ctx.get("webhooks")
    if deliverer is not None:
        await deliverer.sender.aclose()


async def deliver(ctx: dict[str, Any], delivery_id: str) -> str | None:
    """Send the next attempt of one delivery, if it is due and nobody else has it."""
    deliverer: Deliverer = ctx["webhooks"]
    outcome = await deliverer.deliver(uuid.UUID(delivery_id))
    return None if outcome is None else outcome.status.value


async def relay(ctx: dict[str, Any]) -> int:
    """Wake every due delivery that no live worker holds (lost wake-ups, retries, crashes)."""
    deliverer: Deliverer = ctx["webhooks"]
    due = await deliverer.relay()
    for row in due:
        await enqueue(ctx["redis"], deliver_wakeup(row.row_id, row.attempt, again=row.again))
    return len(due)
