"""Wire shapes of bookings, appointments and provisional bookings (meetergo's names)."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Final, Literal

import msgspec

from slotwise.kit.wire import InputStruct, TimeZone, WireStruct
from slotwise.meeting_types.channels import Channel, ChannelInput

Instant = Annotated[
    datetime,
    msgspec.Meta(
        tz=True,
        description="ISO 8601 instant with an offset",
        examples=["2030-01-07T10:00:00+01:00"],
    ),
]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
Name = Annotated[str, msgspec.Meta(max_length=100)]
Reason = Annotated[str, msgspec.Meta(max_length=500)]
#: an invitee secret; a missing or wrong one is the same 404 as an unknown appointment
Secret = Annotated[str, msgspec.Meta(max_length=200)] | None
FieldValue = Annotated[str, msgspec.Meta(max_length=5000)] | bool
#: an appointment status as the API names it (the model has more: expired, declined)
StatusName = Literal["confirmed", "pending", "cancelled"]
ProvisionalStatus = Literal["pending", "confirmed", "expired", "declined_by_host"]
HOST_CONFIRMATION: Final = "hostConfirmation"
DOUBLE_OPT_IN: Final = "doubleOptIn"
#: what a provisional booking waits for: the host, or the attendee (a link mailed to them)
BookingType = Literal["hostConfirmation", "doubleOptIn"]
PROVISIONAL_TYPES: tuple[BookingType, ...] = (HOST_CONFIRMATION, DOUBLE_OPT_IN)


class AttendeeInput(InputStruct):
    """The person booking: `firstname` + `lastname`, or `fullname` (split at its last space)."""

    email: Email
    firstname: Name | None = None
    lastname: Name | None = None
    fullname: Name | None = None
    phone: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    timezone: TimeZone | None = None
    language: Annotated[str, msgspec.Meta(max_length=8)] | None = None
    receive_reminders: bool = True
    notes: dict[str, Any] = msgspec.field(default_factory=dict)
    #: whether the person accepted the data policy shown when booking (stored as given)
    data_policy_accepted: bool | None = None
    #: guests the person brings: listed on the appointment, invited in the calendar file and
    #: sent the booking's mails (without the manage link, which is the person's)
    bringalong_emails: Annotated[list[Email], msgspec.Meta(max_length=5)] = msgspec.field(
        default_factory=list
    )


class BookingCreate(InputStruct):
    """`start` must be a slot `GET /v4/booking-availability` lists, unless `ignoreAvailability`
    (platform keys, the host and admins) lifts the availability rules; two meetings of one host
    never overlap either way."""

    meeting_type_id: uuid.UUID
    start: Instant
    attendee: AttendeeInput
    host_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=10)] | None = None
    duration: Annotated[int, msgspec.Meta(ge=5, le=480, description="Minutes")] | None = None
    channel: ChannelInput | None = None
    location: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    skip_notifications: bool = False
    ignore_availability: bool = False
    #: a team meeting type's queue (optional: the meeting type names it); another is a 400
    queue_id: uuid.UUID | None = None
    #: the calendar event's title and description (default: the meeting type's)
    ics_title: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    ics_description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    custom_field_values: Annotated[dict[str, FieldValue], msgspec.Meta(max_length=30)] | None = None


class QueueBookingInfo(WireStruct):
    """How a team booking found its host: the queue, the host(s) chosen and why ("Next in
    Queue", or "Chosen Due to Availability" when the hosts ahead were busy; null for a
    collective booking, which all hosts take)."""

    queue_id: uuid.UUID
    host_id: uuid.UUID
    host_ids: list[uuid.UUID]
    selection_reason: str | None
    calculation_method: str
    group_id: uuid.UUID | None = None


class BookingCreated(WireStruct):
    """A confirmed appointment; keep `secret`: it lets the invitee cancel or reschedule."""

    appointment_id: uuid.UUID
    secret: str
    queue_booking_info: QueueBookingInfo | msgspec.UnsetType = msgspec.UNSET


class ProvisionalBookingCreated(WireStruct):
    """The booking waits for the attendee to confirm it through the link mailed to them
    (`doubleOptIn`) or for the host (`hostConfirmation`); it holds its slot until confirmed,
    declined or expired."""

    booking_type: BookingType
    provisional_booking_id: uuid.UUID
    queue_booking_info: QueueBookingInfo | msgspec.UnsetType = msgspec.UNSET


class AttendeeView(WireStruct):
    id: uuid.UUID
    email: str
    firstname: str
    lastname: str
    fullname: str
    phone: str | None
    timezone: str | None
    language: str | None
    receive_reminders: bool
    notes: dict[str, Any]
    custom_field_values: dict[str, Any]
    data_policy_accepted: bool | None
    bringalong_emails: list[str]


class HostView(WireStruct):
    id: uuid.UUID
    email: str
    given_name: str
    family_name: str
    full_name: str
    slug: str


class CancelView(WireStruct):
    action_source: str
    action_at: datetime
    action_by: str | None
    reason: str | None


class Appointment(WireStruct):
    id: uuid.UUID
    start: datetime
    end: datetime
    is_cancelled: bool
    rescheduled_at: datetime | None
    reschedule_count: int
    status: StatusName
    meeting_type_id: uuid.UUID
    meeting_info: dict[str, Any]
    location: str | None
    channel: Channel | None
    cancel: CancelView | None
    attendees: list[AttendeeView]
    attendee_ids: list[uuid.UUID]
    hosts: list[HostView]
    host_ids: list[uuid.UUID]
    company_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    #: team meeting types: how the host was chosen
    queue_booking_info: QueueBookingInfo | msgspec.UnsetType = msgspec.UNSET


class AppointmentList(WireStruct):
    appointments: list[Appointment]
    total: int
    page: int
    page_size: int
    #: with `sortBy=updatedAt`: pass as `cursor` to get the rows changed after these
    next_cursor: str | None = None


class Rescheduled(WireStruct):
    appointment: Appointment


class CancelAppointment(InputStruct):
    """Group appointments need `attendeeId` (remove one person) or `cancelAll`."""

    reason: Reason | None = None
    attendee_id: uuid.UUID | None = None
    cancel_all: bool = False
    cancel_entire_series: bool = False


class RescheduleAppointment(InputStruct):
    start: Instant
    ignore_availability: bool = False


class ProvisionalBooking(WireStruct):
    id: uuid.UUID
    dto: dict[str, Any]
    type: BookingType
    status: ProvisionalStatus
    hosts: list[HostView]
    meeting_type_id: uuid.UUID
    start: datetime
    end: datetime
    created_at: datetime
    expires_at: datetime | None


class ProvisionalBookingList(WireStruct):
    provisional_bookings: list[ProvisionalBooking]
    total: int
    #: with `sortBy=updatedAt`: pass as `cursor` to get the bookings changed after these
    next_cursor: str | None = None


class InviteeCancel(InputStruct):
    secret: Secret = None
    reason: Reason | None = None


class HostDecision(InputStruct):
    """The token from the host's mail (the request's secret), and why, when declining."""

    secret: Secret = None
    reason: Reason | None = None


class HostDecisionView(WireStruct):
    """A booking request as the host's Confirm / Decline page shows it."""

    id: uuid.UUID
    title: str
    start: datetime
    end: datetime
    expires_at: datetime | None
    attendees: list[str]


class HostDecided(WireStruct):
    id: uuid.UUID
    status: Literal["confirmed", "declined"]


class OptInConfirm(InputStruct):
    """The token from the attendee's confirm link (double opt-in)."""

    secret: Secret = None


#: `pending`: waits for the attendee; `requested`: confirmed by them, now waits for the host
OptInState = Literal["pending", "requested", "confirmed"]


class OptInView(WireStruct):
    """A double opt-in booking as the attendee's confirm page shows it."""

    id: uuid.UUID
    title: str
    host_name: str
    start: datetime
    end: datetime
    #: until when the attendee can confirm (null once they did)
    expires_at: datetime | None
    status: OptInState


class OptInConfirmed(WireStruct):
    """`confirmed`: the appointment stands (the confirmation mail is on its way);
    `requested`: the host confirms it next."""

    id: uuid.UUID
    status: Literal["requested", "confirmed"]


class InviteeReschedule(InputStruct):
    start: Instant
    secret: Secret = None


class InviteeAppointment(WireStruct):
    """What an invitee holding the secret sees: the meeting, not the other people in it."""

    id: uuid.UUID
    start: datetime
    end: datetime
    status: StatusName
    is_cancelled: bool
    rescheduled_at: datetime | None
    meeting_info: dict[str, Any]
    location: str | None


class InviteeBooking(WireStruct):
    """What the manage page shows the invitee holding the secret; `bookingUrl` is where a new
    time can be picked (null when the meeting type is no longer bookable)."""

    appointment: InviteeAppointment
    title: str
    host_name: str
    booking_url: str | None


NotificationState = Literal["queued", "sent", "failed", "skipped"]


class NotificationView(WireStruct):
    """One mail about an appointment: `queued` (also while a retry waits), `sent`, `failed`
    (refused for good, or retried for over a day) or `skipped` (no mail server configured)."""

    id: uuid.UUID
    kind: str
    recipient: str
    language: str
    status: NotificationState
    attempts: int
    #: when it is due (reminders: before the start; after a failure: the next try)
    due_at: datetime
    sent_at: datetime | None
    error: str | None


class NotificationList(WireStruct):
    notifications: list[NotificationView]
