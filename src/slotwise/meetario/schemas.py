"""Wire shapes of /api/v1, field for field as the Meetario sheet prints them (snake_case)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from slotwise.bookings.meetario_event import (
    Out,
    V1Event,
)
from slotwise.bookings.schemas import Email, FieldValue, Instant, Reason
from slotwise.kit.wire import InputStruct, PersonName, Slug, TimeZone
from slotwise.meeting_types.schemas import Currency, LocationType, Price
from slotwise.users.inputs import DateFormat, TimeFormat
from slotwise.webhooks import schemas as wh
from slotwise.webhooks.events import MEETARIO_EVENTS, dotted

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class In(InputStruct, rename={}):
    """Base of every /api/v1 request body: the sheet's own names (no camelCase), and as on
    /v4 an unknown field is refused by name (here a 422) and documented as not allowed."""


class V1Pagination(Out):
    page: int
    limit: int
    total: int
    pages: int


class V1EventList(Out):
    data: list[V1Event]
    pagination: V1Pagination
    #: with `sort_by=updated_at`: pass as `cursor` to get the events changed after these
    next_cursor: str | None = None


class V1EventData(Out):
    data: V1Event


class V1EventCreate(In):
    """`event_type_id`: the integer id (or the `et_…` id) of the event type to book."""

    event_type_id: int | str
    attendee_email: Email
    attendee_name: Name
    start_time: Instant
    attendee_phone: Annotated[str, msgspec.Meta(max_length=50)] | None = None
    timezone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    notes: Annotated[str, msgspec.Meta(max_length=5000)] | None = None
    custom_field_values: Annotated[dict[str, FieldValue], msgspec.Meta(max_length=30)] | None = None


class V1EventCancel(In):
    reason: Reason | None = None


class V1EventReschedule(In):
    start_time: Instant


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
#: the sheet's bounds (15-480); /v4 takes 5
EventDuration = Annotated[int, msgspec.Meta(ge=15, le=480, description="Minutes")]
HexColor = Annotated[str, msgspec.Meta(pattern="^#[0-9A-Fa-f]{6}$", examples=["#4F46E5"])]
Description = Annotated[str, msgspec.Meta(max_length=5000)]
BufferMinutes = Annotated[int, msgspec.Meta(ge=0, le=120, description="Minutes")]
#: /v4's `bookingMinimum` (at most 525600 minutes) in hours
NoticeHours = Annotated[int, msgspec.Meta(ge=0, le=8760, description="Hours")]
#: /v4's `daysIntoFuture.bookingLimit` (at most 5256000 minutes) in days
HorizonDays = Annotated[int, msgspec.Meta(ge=1, le=3650, description="Days")]
Weekdays = Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]
Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class V1EventTypeCreate(In):
    """`location` sets the /v4 channel; `timezone` and `available_days` make the type its own
    schedule (09:00-17:00 on those days, Monday to Friday by default, in `timezone`, UTC by
    default); without either it uses the user's default availability."""

    name: Name
    duration: EventDuration
    description: Description = ""
    color: HexColor = "#4F46E5"
    location: LocationType | None = None
    timezone: TimeZone | None = None
    requires_approval: bool = False
    buffer_time_before: BufferMinutes = 0
    buffer_time_after: BufferMinutes = 0
    min_advance_booking: NoticeHours | None = None
    max_advance_booking: HorizonDays | None = None
    available_days: Weekdays | None = None
    price: Price | None = None
    currency: Currency | None = None
    slug: Slug | None = None


class V1EventTypeUpdate(In):
    """Only the fields sent change; `timezone` or `available_days` give the type a schedule of
    its own when it shares one (the user's working hours stay as they are)."""

    name: Name | Unset = UNSET
    duration: EventDuration | Unset = UNSET
    description: Description | Unset = UNSET
    color: HexColor | Unset = UNSET
    location: LocationType | Unset = UNSET
    timezone: TimeZone | Unset = UNSET
    requires_approval: bool | Unset = UNSET
    buffer_time_before: BufferMinutes | Unset = UNSET
    buffer_time_after: BufferMinutes | Unset = UNSET
    min_advance_booking: NoticeHours | Unset = UNSET
    max_advance_booking: HorizonDays | Unset = UNSET
    available_days: Weekdays | Unset = UNSET
    #: null: free again
    price: Price | Unset | None = UNSET
    currency: Currency | Unset | None = UNSET
    slug: Slug | Unset = UNSET
    is_active: bool | Unset = UNSET


class V1Message(Out):
    message: str


class V1Location(Out):
    type: str
    display: str | None
    custom: str | None


class V1SchedulingSettings(Out):
    buffer_time_before: int
    buffer_time_after: int
    #: hours
    min_advance_booking: int
    #: days; null when bookable without limit
    max_advance_booking: int | None
    available_days: list[str]


class V1Payment(Out):
    is_paid: bool
    price: Decimal | None
    currency: str | None
    payment_method: str | None


class V1EventType(Out):
    uuid: str
    id: int
    name: str
    slug: str
    description: str
    duration: int
    color: str | None
    location: V1Location | None
    is_active: bool
    requires_approval: bool
    scheduling_settings: V1SchedulingSettings
    timezone: str
    payment: V1Payment
    custom_fields: list[dict[str, Any]]
    sort_order: int
    created_at: datetime
    updated_at: datetime
    uri: str
    scheduling_url: str


class V1EventTypeList(Out):
    data: list[V1EventType]
    pagination: V1Pagination
    #: with `sort_by=updated_at`: pass as `cursor` to get the event types changed after these
    next_cursor: str | None = None


class V1EventTypeData(Out):
    data: V1EventType


class V1SlotView(Out):
    start_time: datetime
    end_time: datetime
    available: bool


class V1DaySlots(Out):
    date: str
    slots: list[V1SlotView]


class V1Availability(Out):
    data: list[V1DaySlots]


class V1Locale(Out):
    date_format: str | None
    time_format: str | None
    week_start: int


class V1User(Out):
    uuid: str
    id: int
    email: str
    name: str
    first_name: str
    last_name: str
    avatar_url: str | None
    timezone: str
    position: str | None
    company: str | None
    locale: V1Locale
    status: Literal["active"]
    created_at: datetime
    updated_at: datetime
    uri: str


class V1UserData(Out):
    data: V1User


class V1UserUpdate(In):
    """Only the fields sent change; `null` clears position, company and the formats."""

    first_name: PersonName | msgspec.UnsetType = msgspec.UNSET
    last_name: PersonName | msgspec.UnsetType = msgspec.UNSET
    timezone: TimeZone | msgspec.UnsetType = msgspec.UNSET
    position: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType | None = (
        msgspec.UNSET
    )
    company: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType | None = msgspec.UNSET
    date_format: DateFormat | msgspec.UnsetType | None = msgspec.UNSET
    time_format: TimeFormat | msgspec.UnsetType | None = msgspec.UNSET


#: a wall time `HH:MM` on a 5-minute grid; `24:00` only as an end
Clock = Annotated[
    str, msgspec.Meta(pattern=r"^(([01][0-9]|2[0-3]):[0-5][05]|24:00)$", examples=["09:00"])
]


class V1WeekDay(Out):
    enabled: bool
    start: str
    end: str


class V1WeeklyAvailability(Out):
    """`availability` is keyed "1" (Monday) to "7" (Sunday)."""

    availability: dict[str, V1WeekDay]
    timezone: str


class V1WeeklyAvailabilityData(Out):
    data: V1WeeklyAvailability


class V1WeekDayInput(In):
    """An enabled day needs `start` and `end` (end after start); a disabled day may omit them."""

    enabled: bool
    start: Clock | msgspec.UnsetType = msgspec.UNSET
    end: Clock | msgspec.UnsetType = msgspec.UNSET


_DAY_KEYS = {
    "monday": "1",
    "tuesday": "2",
    "wednesday": "3",
    "thursday": "4",
    "friday": "5",
    "saturday": "6",
    "sunday": "7",
}


class V1Week(In, rename=_DAY_KEYS):
    """Days "1" (Monday) to "7" (Sunday); a day left out is off."""

    monday: V1WeekDayInput | msgspec.UnsetType = msgspec.UNSET
    tuesday: V1WeekDayInput | msgspec.UnsetType = msgspec.UNSET
    wednesday: V1WeekDayInput | msgspec.UnsetType = msgspec.UNSET
    thursday: V1WeekDayInput | msgspec.UnsetType = msgspec.UNSET
    friday: V1WeekDayInput | msgspec.UnsetType = msgspec.UNSET
    saturday: V1WeekDayInput | msgspec.UnsetType = msgspec.UNSET
    sunday: V1WeekDayInput | msgspec.UnsetType = msgspec.UNSET


class V1WeeklyAvailabilityReplace(In):
    """The whole week at once; `timezone` left out keeps the availability's zone."""

    availability: V1Week
    timezone: TimeZone | msgspec.UnsetType = msgspec.UNSET


#: the events an /api/v1 endpoint may take, as the sheet spells them
WEBHOOK_EVENT_NAMES = sorted(
    {dotted(event.value) for event in MEETARIO_EVENTS} | {"booking.canceled"}
)
WebhookEvents = Annotated[
    list[
        Annotated[str, msgspec.Meta(max_length=64, extra_json_schema={"enum": WEBHOOK_EVENT_NAMES})]
    ],
    msgspec.Meta(
        min_length=1,
        max_length=20,
        description=(
            "Events to receive, each delivered as the event `GET /api/v1/events/{id}` shows"
            " (`booking.completed`: a confirmed event ended)"
        ),
        examples=[["booking.created", "booking.cancelled"]],
    ),
]
WebhookName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
VerifySsl = Annotated[
    bool,
    msgspec.Meta(
        description=(
            "Check the endpoint's TLS certificate; false is accepted only on a server allowing"
            " private networks (development: a local server with a self-signed certificate)"
        )
    ),
]


class V1WebhookStats(Out):
    success_count: int
    failure_count: int
    #: percent of attempts that succeeded; null before the first attempt
    success_rate: float | None
    last_success_at: datetime | None
    last_failure_at: datetime | None


class V1Webhook(Out):
    uuid: str
    id: int
    name: str | None
    url: str
    events: list[str]
    #: `disabled`: switched off by the server (the endpoint answered 410, or failed for days);
    #: set `active` to turn it on again
    status: Literal["active", "inactive", "disabled"]
    #: in full only in the create answer; elsewhere masked, ending in its last 4 characters
    secret: str
    headers: wh.MaskedHeaders
    timeout_seconds: int
    max_retries: int
    verify_ssl: bool
    stats: V1WebhookStats
    created_at: datetime
    updated_at: datetime


class V1WebhookList(Out):
    data: list[V1Webhook]
    #: with `sort_by=updated_at`: pass as `cursor` to get the webhooks changed after these
    next_cursor: str | None = None


class V1WebhookData(Out):
    data: V1Webhook


class V1WebhookCreate(In):
    name: WebhookName
    url: wh.Url
    events: WebhookEvents
    headers: wh.Headers = msgspec.field(default_factory=dict)
    timeout_seconds: wh.Timeout = 30
    max_retries: wh.MaxRetries = 3
    verify_ssl: VerifySsl = True


class V1WebhookUpdate(In):
    """Fields left out stay as they are; `events` and `headers` replace the old values."""

    name: WebhookName | msgspec.UnsetType = msgspec.UNSET
    url: wh.Url | msgspec.UnsetType = msgspec.UNSET
    events: WebhookEvents | msgspec.UnsetType = msgspec.UNSET
    status: wh.SettableStatus | msgspec.UnsetType = msgspec.UNSET
    headers: wh.Headers | msgspec.UnsetType = msgspec.UNSET
    timeout_seconds: wh.Timeout | msgspec.UnsetType = msgspec.UNSET
    max_retries: wh.MaxRetries | msgspec.UnsetType = msgspec.UNSET
    verify_ssl: VerifySsl | msgspec.UnsetType = msgspec.UNSET


class V1TestDelivery(Out):
    id: str
    status: Literal["delivered", "failed"]
    response_code: int | None
    response_time_ms: int
    sent_at: datetime
    #: why it failed (timeout, connect, tls, http_status, …); null when delivered
    error: str | None


class V1WebhookTest(Out):
    message: str
    delivery: V1TestDelivery
