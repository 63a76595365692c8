"""When to try a mail again after a temporary failure (pure): about 27 hours of retries."""

from datetime import timedelta

#: delay before retry n; a mail refused for longer than all of them together is failed
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=6),
    timedelta(hours=6),
    timedelta(hours=8),
)


def retry_delay(attempt: int) -> timedelta | None:
    """The wait after failed attempt `attempt` (1-based); None when the retries are used up."""
    if attempt > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempt - 1]
