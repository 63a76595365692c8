"""RFC 5545 invitations for appointments.

The UID never changes (`<appointment id>@slotwise`), so calendar clients update the event they
already have; SEQUENCE is the appointment's `ics_sequence`, raised by every reschedule,
reassignment, cancellation, confirmation of a held booking and attendee joining or leaving a
group. A cancelled appointment is sent as METHOD:CANCEL with STATUS:CANCELLED. DTSTAMP is
the time of the appointment's last change, so the same state always gives the same bytes.

A user's subscription feed (`feed`) holds the same events, with the same UIDs, without a
METHOD: a subscribed calendar shows them and follows their changes.
"""

from icalendar import Calendar, Event, vCalAddress, vText

from slotwise.models import Appointment, AppointmentStatus, Attendee, User

PRODID = "-//slotwise//bookings//EN"
UID_DOMAIN = "slotwise"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def uid(row: Appointment) -> str:
    return f"{row.id}@{UID_DOMAIN}"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    return cal


def calendar(row: Appointment, attendees: list[Attendee], host: User) -> bytes:
    cancelled = row.status is AppointmentStatus.CANCELLED
    cal = _calendar()
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    cal.add_component(event_of(row, attendees, host))
    return bytes(cal.to_ical())


def feed(name: str, events: list[tuple[Appointment, list[Attendee]]], host: User) -> bytes:
    """A subscription calendar of `host`'s appointments (the same bytes for the same state)."""
    cal = _calendar()
    cal.add("x-wr-calname", name)
    for row, attendees in events:
        cal.add_component(event_of(row, attendees, host))
    return bytes(cal.to_ical())


def event_of(row: Appointment, attendees: list[Attendee], host: User) -> Event:
    cancelled = row.status is AppointmentStatus.CANCELLED
    event = Event()
    event.add("uid", uid(row))
    event.add("sequence", row.ics_sequence)
    event.add("dtstamp", row.updated_at)
    event.add("dtstart", row.start_at)
    event.add("dtend", row.end_at)
    info = row.meeting_info
    event.add("summary", str(info.get("icsTitle") or info.get("name") or "Appointment"))
    description = info.get("icsDescription") or info.get("description")
    if description:
        event.add("description", str(description))
    location = row.location or row.meeting_info.get("meetingLink")
    if location:
        event.add("location", str(location))
    status = "CONFIRMED" if row.status is AppointmentStatus.CONFIRMED else "TENTATIVE"
    event.add("status", "CANCELLED" if cancelled else status)
    event.add("organizer", _address(host.email, host.full_name))
    for attendee in attendees:
        if attendee.cancelled_at is not None:
            continue
        name = f"{attendee.firstname} {attendee.lastname}".strip()
        event.add(
            "attendee",
            _address(attendee.email, name, ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED"),
        )
        for guest in attendee.bringalong_emails:
            guest_of = f"{name} (guest)" if name else ""
            event.add(
                "attendee",
                _address(guest, guest_of, ROLE="OPT-PARTICIPANT", PARTSTAT="NEEDS-ACTION"),
            )
    return event
