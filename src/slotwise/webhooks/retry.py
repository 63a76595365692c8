"""When to try a failed webhook delivery again (pure): the schedule, jitter and Retry-After."""

import email.utils
from datetime import UTC, datetime, timedelta
from typing import Protocol

#: delay before retry n (n = 1 … 10): the Standard Webhooks example schedule, ~75 h in all
RETRY_DELAYS = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
JITTER = 0.15


class Random(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


def retry_delay(retry: int, rng: Random) -> timedelta:
    """Delay before retry `retry` (1-based), with ±15 % jitter."""
    base = RETRY_DELAYS[min(retry, len(RETRY_DELAYS)) - 1]
    return base * (1 + rng.uniform(-JITTER, JITTER))


#: the longest wait a Retry-After can ask for: the schedule's longest step
MAX_RETRY_AFTER = RETRY_DELAYS[-1]


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date, capped at `MAX_RETRY_AFTER`.

    None when absent or unreadable. Whatever the receiver sent, this never raises: only ASCII
    digits count as seconds (`"²".isdigit()` is true in Python), huge numbers and far dates
    are capped, and dates that cannot be represented (year 99999, offsets of a day or more)
    are unreadable.
    """
    if value is None:
        return None
    text = value.strip()
    cap = MAX_RETRY_AFTER
    if text.isascii() and text.isdigit():
        # longer than the cap's own digits is beyond it; int() of thousands of digits raises
        if len(text) > len(str(int(cap.total_seconds()))):
            return cap
        return min(timedelta(seconds=int(text)), cap)
    try:
        when = email.utils.parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = when - now
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return min(max(delay, timedelta(0)), cap)


def next_attempt_at(
    attempt: int, max_retries: int, retry_after: timedelta | None, now: datetime, rng: Random
) -> datetime | None:
    """When to try again after attempt `attempt` failed; None when retries are used up.

    Retry-After is honoured when it asks for more than the schedule, up to the schedule's
    longest step (24 h).
    """
    if attempt > max_retries:
        return None
    delay = retry_delay(attempt, rng)
    if retry_after is not None:
        delay = min(max(delay, retry_after), RETRY_DELAYS[-1])
    return now + delay
