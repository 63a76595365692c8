"""Fixtures of the booking tests."""

from typing import Any

import pytest

from slotwise.webhooks import events
from tests.support.bookings import Recorder


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Record every webhook event instead of handing it to the (future) outbox."""
    recorder = Recorder()

    async def record(
        session: Any, company_id: Any, event: Any, payload: Any, *, meetario: Any = None
    ) -> None:
        recorder.calls.append((str(event), dict(payload)))

    monkeypatch.setattr(events, "emit", record)
    return recorder
