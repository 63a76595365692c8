"""Logging setup: one line per record, as JSON or as text, each carrying the request (or job)
it belongs to.

The request id and the company id live in context variables: the request's outermost layer
sets the id, authentication the company, and a worker sets the id a job was enqueued with, so
every line written on their behalf names them without being handed them.
"""

import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any, Literal

import msgspec

LogFormat = Literal["json", "text"]

REQUEST_ID: ContextVar[str | None] = ContextVar("slotwise.request_id", default=None)
COMPANY_ID: ContextVar[str | None] = ContextVar("slotwise.company_id", default=None)

#: `extra={FIELDS: {...}}` adds structured fields to a record's JSON line
FIELDS = "fields"

_encoder = msgspec.json.Encoder(enc_hook=str)

#: an e-mail address (or a URL's user@host): what a mail server's refusal or a database error
#: may quote back; never written to a log
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ADDRESS_MARK = "<address>"


def scrub(text: str) -> str:
    """`text` without e-mail addresses."""
    return _ADDRESS.sub(ADDRESS_MARK, text) if "@" in text else text


def current_request_id() -> str | None:
    return REQUEST_ID.get()


def bind_company(company_id: object) -> None:
    """Name the company in the rest of this request's lines (authentication knows it)."""
    COMPANY_ID.set(str(company_id))


@contextmanager
def log_context(request_id: str | None) -> Iterator[None]:
    """Lines written inside carry `request_id` (and no company until one is bound)."""
    rid, company = REQUEST_ID.set(request_id), COMPANY_ID.set(None)
    try:
        yield
    finally:
        COMPANY_ID.reset(company)
        REQUEST_ID.reset(rid)


def _fields(record: logging.LogRecord) -> Mapping[str, Any]:
    fields = getattr(record, FIELDS, None)
    return fields if isinstance(fields, Mapping) else {}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's ids, the record's
    fields and, for an exception, its traceback; e-mail addresses scrubbed from the text."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if (rid := REQUEST_ID.get()) is not None:
            entry["request_id"] = rid
        if (company := COMPANY_ID.get()) is not None:
            entry["company_id"] = company
        entry.update(_fields(record))
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = scrub(record.exc_text)
        return _encoder.encode(entry).decode()


class TextFormatter(logging.Formatter):
    """`time level logger message request_id=… company_id=…`: the message says what the JSON
    fields would (for a person, `slotwise dev`), the ids tie the lines of a request together."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        line = super().formatMessage(record)
        for key, value in (("request_id", REQUEST_ID.get()), ("company_id", COMPANY_ID.get())):
            if value is not None:
                line = f"{line} {key}={value}"
        return line


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Ours, told apart from other handlers on the root logger so a new setup replaces it."""


def configure_logging(
    level: str, log_format: LogFormat = "json", stream: IO[str] | None = None
) -> None:
    """Send every record to `stream` (stderr) in `log_format`: slotwise's at `level`, other
    libraries' from warning up. Calling it again replaces the previous setup."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    handler = _Handler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("slotwise").setLevel(level.upper())
