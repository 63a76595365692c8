"""What a booking page may show about a host and a meeting type (nothing internal), and what
an invitee sends to book on it."""

import uuid
from typing import Annotated

import msgspec

from slotwise.bookings.schemas import AttendeeInput, FieldValue, Instant, InviteeBooking, OptInView
from slotwise.companies.schemas import PageLook
from slotwise.kit.wire import InputStruct, WireStruct


class BookingPage(WireStruct):
    user_id: uuid.UUID
    meeting_type_id: uuid.UUID
    host_name: str
    name: str
    description: str
    duration: int
    timezone: str
    booking_url: str


class PublicBookingCreate(InputStruct):
    """A booking made on the page: the meeting type is the page's; `start` must be a slot its
    `/slots` lists. `website` is a honeypot: people never see it, so it must stay empty."""

    start: Instant
    attendee: AttendeeInput
    custom_field_values: Annotated[dict[str, FieldValue], msgspec.Meta(max_length=30)] | None = None
    website: Annotated[str, msgspec.Meta(max_length=200)] = ""


class PublicBookingCreated(WireStruct):
    """A confirmed appointment. `manageUrl` lets the invitee cancel or reschedule: a capability
    URL whose secret sits in the fragment, so it never reaches a server log or a Referer."""

    appointment_id: uuid.UUID
    manage_url: str


class ManagedBooking(InviteeBooking):
    """The booking behind a manage link, and the look of its company's pages (the manage page
    learns whose booking it shows only once the browser sends the secret)."""

    look: PageLook


class OptInPage(OptInView):
    """The booking behind an attendee's confirm link (double opt-in), and the look of its
    company's pages (the page learns whose booking it is only once the browser sends the
    token)."""

    look: PageLook
