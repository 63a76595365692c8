"""The calendar jobs' names and wake-ups (sent after commit; the rows are the truth)."""

import time
import uuid

from slotwise.jobs import Wakeup

#: copy one connection's busy time in
SYNC = "calendars.sync"
#: write one appointment into (or out of) one connection's calendar
PUSH = "calendars.push"


def sync_wakeup(company_id: uuid.UUID, connection_id: uuid.UUID) -> Wakeup:
    """One queued sync per connection at a time: a second wake-up while one waits is a no-op."""
    return Wakeup(SYNC, (str(company_id), str(connection_id)), job_id=f"cal-sync:{connection_id}")


def push_wakeup(push_id: uuid.UUID, attempt: int, *, again: bool = False) -> Wakeup:
    job_id = f"cal-push:{push_id}:{attempt}"
    if again:
        job_id += f":{time.time_ns() // 1_000_000}"
    return Wakeup(PUSH, (str(push_id),), job_id=job_id)
