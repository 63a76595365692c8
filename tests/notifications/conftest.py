"""A real SMTP server for the mail tests."""

from collections.abc import Iterator

import pytest

from tests.support.smtp_server import Inbox, running_smtp


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with running_smtp() as running:
        yield running
