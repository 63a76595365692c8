"""Wire shapes of meeting types (meetergo's names, plus the Meetario event-type extras)."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from slotwise.availability.schemas import Name as AvailabilityName
from slotwise.availability.schemas import OptionalSchedule, Zone
from slotwise.kit.wire import HttpsUrl, InputStruct, Reminders, Slug, WireStruct
from slotwise.links.schemas import OneTimeLink
from slotwise.meeting_types.channels import Channel, ChannelInput

Duration = Annotated[int, msgspec.Meta(ge=5, le=480, description="Minutes")]
Buffer = Annotated[int, msgspec.Meta(ge=0, le=120, description="Minutes")]
Interval = Annotated[int, msgspec.Meta(ge=5, le=60, description="Minutes")]
Notice = Annotated[int, msgspec.Meta(ge=0, le=525_600, description="Minimum notice in minutes")]
Spots = Annotated[int, msgspec.Meta(ge=1, le=100, description="Seats per slot")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Color = Annotated[str, msgspec.Meta(max_length=40, examples=["rgb(0, 153, 255)", "#4F46E5"])]
Text = Annotated[str, msgspec.Meta(max_length=200)]
Link = Annotated[str, msgspec.Meta(max_length=2000)]
#: an amount with at most two decimals below 10^10, as a string ("150.50") or a number
Price = Annotated[
    Decimal,
    msgspec.Meta(
        examples=["150.50"],
        extra_json_schema={
            "pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$",
            "minimum": 0,
            "maximum": 9999999999.99,
            "multipleOf": 0.01,
        },
    ),
]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$", examples=["EUR"])]
Metadata = Annotated[
    dict[str, str],
    msgspec.Meta(description="At most 20 keys (up to 100 characters), values up to 500"),
]
Unset = msgspec.UnsetType
UNSET = msgspec.UNSET
LocationType = Literal["zoom_meeting", "google_meet", "phone_call", "in_person", "custom"]
FieldType = Literal["text", "textarea", "select", "checkbox", "phone"]
#: meetergo's company-setting fallback; slotwise has no company setting for these, so
#: `"useCompanySettings"` reads as false
HostConfirmation = bool | Literal["useCompanySettings"]
DoubleOptIn = bool | Literal["useCompanySettings"]


class MeetingInfoInput(InputStruct):
    name: Title
    duration: Duration
    channel: ChannelInput
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    custom_channel_name: Text | None = None
    custom_channel_link: Link | None = None
    buffer_before: Buffer = 0
    buffer_after: Buffer = 0
    color: Color | None = None
    #: after booking, the page sends the invitee to `redirect` (https), with `appointmentId`
    #: (and `start`, `end`, `name`, `email` when `passEventDetailsToRedirect`) in the query
    enable_redirect: bool = False
    redirect: HttpsUrl | None = None
    pass_event_details_to_redirect: bool = False


class MeetingInfoUpdate(InputStruct):
    name: Title | Unset = UNSET
    duration: Duration | Unset = UNSET
    channel: ChannelInput | Unset = UNSET
    description: Annotated[str, msgspec.Meta(max_length=5000)] | Unset = UNSET
    custom_channel_name: Text | Unset | None = UNSET
    custom_channel_link: Link | Unset | None = UNSET
    buffer_before: Buffer | Unset = UNSET
    buffer_after: Buffer | Unset = UNSET
    color: Color | Unset | None = UNSET
    enable_redirect: bool | Unset = UNSET
    redirect: HttpsUrl | Unset | None = UNSET
    pass_event_details_to_redirect: bool | Unset = UNSET


class DaysIntoFuture(InputStruct):
    """`limit`: `bookingLimit` minutes ahead (default 43200, 30 days); `range`: between two
    dates; `unlimited`."""

    mode: Literal["limit", "range", "unlimited"]
    booking_limit: Annotated[int, msgspec.Meta(ge=1, le=5_256_000)] | None = None
    range_min: date | None = None
    range_max: date | None = None
    count_mode: Annotated[str, msgspec.Meta(max_length=40)] | None = None


class MeetingOptionsInput(InputStruct):
    allowed_durations: Annotated[list[Duration], msgspec.Meta(max_length=20)] | Unset = UNSET
    require_host_confirmation: HostConfirmation | Unset = UNSET
    #: the attendee confirms the booking through a link mailed to them before it counts (one
    #: person per appointment: not for group types)
    double_opt_in: DoubleOptIn | Unset = UNSET
    #: other channels an invitee may choose when booking (the type's own channel always)
    allowed_channels: Annotated[list[ChannelInput], msgspec.Meta(max_length=20)] | Unset = UNSET


class Location(InputStruct):
    type: LocationType
    value: Link | None = None
    address: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    display: Text | None = None


class CustomField(InputStruct):
    """A question asked at booking; `select` needs `options`."""

    key: Annotated[str, msgspec.Meta(pattern="^[A-Za-z][A-Za-z0-9_]{0,49}$")]
    label: Title
    type: FieldType
    required: bool = False
    options: Annotated[list[Title], msgspec.Meta(max_length=50)] | None = None


class InlineAvailability(InputStruct):
    name: AvailabilityName
    timezone: Zone
    schedule: OptionalSchedule = None


class CreateOptions(InputStruct):
    #: also make a one-time booking link to the new type (in the answer's `oneTimeLink`)
    create_one_time_link: bool = False


class MeetingTypeCreate(InputStruct):
    meeting_info: MeetingInfoInput
    #: the host, when an admin or a platform key creates the type for another user
    user_id: uuid.UUID | None = None
    slug: Slug | None = None
    enabled: bool = True
    availability_id: uuid.UUID | None = None
    availability: InlineAvailability | None = None
    timeslot_interval: Interval | None = None
    booking_minimum: Notice = 30
    days_into_future: DaysIntoFuture | None = None
    spots: Spots = 1
    meeting_options: MeetingOptionsInput | None = None
    metadata: Metadata | None = None
    color: Color | None = None
    locations: Annotated[list[Location], msgspec.Meta(max_length=10)] | None = None
    price: Price | None = None
    currency: Currency | None = None
    custom_fields: Annotated[list[CustomField], msgspec.Meta(max_length=30)] | None = None
    #: reminder mails to attendees, minutes before the start; null: the company's defaults
    reminders: Reminders | None = None
    options: CreateOptions | None = None

    @property
    def wants_link(self) -> bool:
        return self.options is not None and self.options.create_one_time_link


class MeetingTypeUpdate(InputStruct):
    """Every field optional; `meetingInfo` and `meetingOptions` are merged, lists replaced."""

    meeting_info: MeetingInfoUpdate | Unset = UNSET
    slug: Slug | Unset = UNSET
    enabled: bool | Unset = UNSET
    availability_id: uuid.UUID | Unset = UNSET
    timeslot_interval: Interval | Unset | None = UNSET
    booking_minimum: Notice | Unset = UNSET
    days_into_future: DaysIntoFuture | Unset = UNSET
    spots: Spots | Unset = UNSET
    meeting_options: MeetingOptionsInput | Unset = UNSET
    metadata: Metadata | Unset | None = UNSET
    color: Color | Unset | None = UNSET
    locations: Annotated[list[Location], msgspec.Meta(max_length=10)] | Unset = UNSET
    price: Price | Unset | None = UNSET
    currency: Currency | Unset | None = UNSET
    custom_fields: Annotated[list[CustomField], msgspec.Meta(max_length=30)] | Unset = UNSET
    reminders: Reminders | Unset | None = UNSET


class MeetingInfo(WireStruct):
    name: str
    description: str
    duration: int
    channel: Channel
    custom_channel_name: str | None
    custom_channel_link: str | None
    buffer_before: int
    buffer_after: int
    color: str | None
    enable_redirect: bool
    redirect: str | None
    pass_event_details_to_redirect: bool


class DaysIntoFutureView(WireStruct, omit_defaults=True):
    mode: Literal["limit", "range", "unlimited"]
    booking_limit: int | None = None
    range_min: date | None = None
    range_max: date | None = None
    count_mode: str | None = None


class MeetingOptions(WireStruct):
    allowed_durations: list[int]
    require_host_confirmation: bool
    double_opt_in: bool
    allowed_channels: list[str]


class MeetingType(WireStruct):
    id: uuid.UUID
    user_id: uuid.UUID
    company_id: uuid.UUID
    slug: str
    enabled: bool
    meeting_info: MeetingInfo
    availability_id: uuid.UUID
    timeslot_interval: int
    booking_minimum: int
    days_into_future: DaysIntoFutureView
    spots: int
    meeting_options: MeetingOptions
    metadata: dict[str, str]
    booking_url: str
    color: str | None
    locations: list[Location]
    price: Decimal | None
    currency: str | None
    custom_fields: list[CustomField]
    #: reminder mails to attendees, minutes before the start; null: the company's defaults
    reminders: list[int] | None
    created_at: datetime
    updated_at: datetime
    #: a team type's queue (`PATCH /v4/queue/meeting-type/{id}` makes one); null: single host
    queue_id: uuid.UUID | None
    #: a team type's rule: `anyone` (round robin) or `everyone` (collective)
    calculation_method: Literal["anyone", "everyone"] | None


class CreatedMeetingType(MeetingType, omit_defaults=True):
    """A new meeting type, with its one-time booking link when `options.createOneTimeLink`
    asked for one (its token is shown only here)."""

    one_time_link: OneTimeLink | None = None
