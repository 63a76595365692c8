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


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


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
