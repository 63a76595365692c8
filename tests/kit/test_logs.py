"""The log formats: ids from the context, fields, and no e-mail address in any line."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from slotwise.kit.logs import FIELDS, bind_company, configure_logging, log_context


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    found = io.StringIO()
    yield found
    configure_logging("info", "json")


def test_json_lines_carry_the_context_and_the_fields(stream: io.StringIO) -> None:
    configure_logging("info", "json", stream=stream)
    log = logging.getLogger("slotwise.test")
    with log_context("r-1"):
        log.info("before")
        bind_company("c-1")
        log.info("after %s", "auth", extra={FIELDS: {"status": 201}})
    log.info("outside")
    log.debug("below the level")
    before, after, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (before["request_id"], "company_id" in before) == ("r-1", False)
    assert (after["message"], after["company_id"], after["status"]) == ("after auth", "c-1", 201)
    assert "request_id" not in outside
    assert "company_id" not in outside  # the context ended with the request


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_addresses_are_scrubbed_from_messages_and_tracebacks(
    stream: io.StringIO, log_format: str
) -> None:
    configure_logging("info", "json" if log_format == "json" else "text", stream=stream)
    log = logging.getLogger("slotwise.test")
    log.warning("mail 1 attempt 2: ada.lovelace+x@mail.example.test: 550 no such user")
    try:
        raise ValueError("Key (email)=(grace@navy.example.mil) already exists")
    except ValueError:
        log.exception("unhandled")
    text = stream.getvalue()
    assert "lovelace" not in text
    assert "grace@" not in text
    assert "attempt 2: <address>: 550" in text
    assert "Key (email)=(<address>) already exists" in text
    assert "550 no such user" in text
