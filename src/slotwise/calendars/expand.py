"""iCalendar text → the busy spans it holds in a window (no I/O).

Recurring events are expanded by `recurring-ical-events` (RRULE, RDATE, EXDATE and moved or
cancelled instances); an event marked TRANSP:TRANSPARENT (free) or STATUS:CANCELLED blocks
nothing, nor does a booking slotwise wrote into the calendar (it blocks as the appointment,
which a reschedule or a group's next attendee must be able to see past). All-day events and
floating times are read in the host's time zone: a day off is the host's day. Anything the
parser cannot read is skipped, never fatal: one broken event in a feed must not stop the
others from blocking.
"""

import itertools
import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar, Event

log = logging.getLogger("slotwise.calendars")

Span = tuple[datetime, datetime]
#: occurrences read from one calendar object at most: a daily event for the whole synced year
#: fits, a rule repeating every few minutes stops here instead of costing what it likes
MAX_OCCURRENCES = 1000


def _instant(value: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return aware.astimezone(UTC)
    return datetime.combine(value, time(0), zone).astimezone(UTC)


#: the UIDs of slotwise's own appointments (bookings written out): they block as appointments
OWN_UID_SUFFIX = "@slotwise"


def _blocks(event: Event) -> bool:
    if str(event.get("UID", "")).endswith(OWN_UID_SUFFIX):
        return False
    transparency = str(event.get("TRANSP", "OPAQUE")).upper()
    status = str(event.get("STATUS", "CONFIRMED")).upper()
    return transparency != "TRANSPARENT" and status != "CANCELLED"


def _span(event: Event, zone: ZoneInfo) -> Span | None:
    start = event.get("DTSTART")
    if start is None:
        return None
    begin = start.dt
    end_prop, duration = event.get("DTEND"), event.get("DURATION")
    if end_prop is not None:
        finish = end_prop.dt
    elif duration is not None:
        finish = begin + duration.dt
    else:  # RFC 5545: a day for a date, nothing for a date-time
        finish = begin + timedelta(days=1) if not isinstance(begin, datetime) else begin
    first, last = _instant(begin, zone), _instant(finish, zone)
    return (first, last) if last > first else None


def busy_spans(ics: bytes, start: datetime, end: datetime, zone: str) -> list[Span]:
    """The busy spans of every event in `ics` overlapping `[start, end)`, in UTC."""
    tz = ZoneInfo(zone)
    try:
        calendar = Calendar.from_ical(ics)
        # in order of start, lazily: a rule repeating every minute stops at the cap
        occurrences: Iterable[Event] = recurring_ical_events.of(calendar).after(start)
        found = []
        for event in itertools.islice(occurrences, MAX_OCCURRENCES):
            span = _span(event, tz)
            if span is not None and span[0] >= end:
                break
            if span is not None and span[1] > start and _blocks(event):
                found.append(span)
        return found
    except Exception as exc:  # a broken event must not stop a sync
        log.warning("calendar data skipped: %s: %s", type(exc).__name__, exc)
        return []


def merged(spans: Iterable[Span]) -> list[Span]:
    """Sorted, overlapping and touching spans joined (fewer rows, same busy time)."""
    out: list[Span] = []
    for first, last in sorted(spans):
        if out and first <= out[-1][1]:
            if last > out[-1][1]:
                out[-1] = (out[-1][0], last)
        else:
            out.append((first, last))
    return out
