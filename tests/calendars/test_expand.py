"""iCalendar text → busy spans (pure): recurrence, cancelled instances, free time, own events."""

from datetime import UTC, datetime

import pytest

from slotwise.calendars import expand
from slotwise.calendars.expand import busy_spans, merged

START = datetime(2030, 1, 1, tzinfo=UTC)
END = datetime(2031, 1, 1, tzinfo=UTC)


def calendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\nDTSTAMP:20300101T000000Z\n{e}END:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\n{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def test_a_cancelled_instance_and_an_excluded_date_block_nothing() -> None:
    ics = calendar(
        "UID:w\nDTSTART:20300107T090000Z\nDTEND:20300107T100000Z\nRRULE:FREQ=WEEKLY;COUNT=4\n"
        "EXDATE:20300114T090000Z\n",
        "UID:w\nRECURRENCE-ID:20300121T090000Z\nDTSTART:20300121T090000Z\n"
        "DTEND:20300121T100000Z\nSTATUS:CANCELLED\n",
    )
    starts = [span[0].day for span in busy_spans(ics, START, END, "Europe/Berlin")]
    assert starts == [7, 28]


def test_free_time_and_slotwise_bookings_block_nothing() -> None:
    ics = calendar(
        "UID:a\nDTSTART:20300107T090000Z\nDTEND:20300107T100000Z\nTRANSP:TRANSPARENT\n",
        "UID:0190-0000@slotwise\nDTSTART:20300107T110000Z\nDTEND:20300107T120000Z\n",
        "UID:b\nDTSTART:20300107T130000Z\nDTEND:20300107T140000Z\n",
    )
    assert busy_spans(ics, START, END, "UTC") == [
        (datetime(2030, 1, 7, 13, tzinfo=UTC), datetime(2030, 1, 7, 14, tzinfo=UTC))
    ]


def test_a_rule_repeating_every_minute_stops_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expand, "MAX_OCCURRENCES", 50)
    ics = calendar("UID:m\nDTSTART:20300101T000000Z\nDURATION:PT1M\nRRULE:FREQ=MINUTELY\n")
    spans = busy_spans(ics, START, END, "UTC")
    assert len(spans) == 50
    assert len(merged(spans)) == 1


def test_a_broken_calendar_blocks_nothing() -> None:
    assert busy_spans(b"BEGIN:VCALENDAR\r\nnot really", START, END, "UTC") == []
