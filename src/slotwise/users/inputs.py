"""Request bodies of /v4/user (meetergo's names; `firstname`/`lastname` accepted as aliases)."""

import uuid
from typing import Annotated, Any, Literal

import msgspec

from slotwise.kit import fields
from slotwise.kit.wire import Email, InputStruct, PersonName, Slug, TimeZone, WireStruct
from slotwise.meeting_types.schemas import DaysIntoFuture

Name = PersonName
Language = Literal["en", "de", "fr", "es", "no", "nl", "it", "pl", "sv", "tr", "da"]


#: a CLDR date pattern (dd/MM/yyyy, d. MMMM yyyy, yyyy-MM-dd, …)
DateFormat = Annotated[
    str,
    msgspec.Meta(
        max_length=40,
        examples=["dd/MM/yyyy"],
        extra_json_schema={"pattern": fields.DATE_FORMAT_PATTERN},
    ),
]
#: 24h, 12h, or a CLDR time pattern: HH:mm, H:mm, hh:mm a, h:mm a
TimeFormat = Annotated[
    str,
    msgspec.Meta(
        max_length=20, examples=["HH:mm"], extra_json_schema={"enum": sorted(fields.TIME_FORMATS)}
    ),
]


class UserAvailability(InputStruct):
    """The availability a provisioned user starts with (every field optional)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] = "Working hours"
    timezone: TimeZone | None = None
    schedule: Any = None


class InlineMeetingType(InputStruct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] = "30min Meeting"
    duration: Annotated[int, msgspec.Meta(ge=5, le=480)] = 30
    slug: Slug | None = None
    channel: str = "phone"
    days_into_future: DaysIntoFuture | None = None


class UserCreate(InputStruct):
    email: Email
    timezone: TimeZone
    given_name: Name | None = None
    family_name: Name | None = None
    firstname: Name | None = None
    lastname: Name | None = None
    slug: Slug | None = None
    language: Language = "en"
    availability: UserAvailability | None = None
    meeting_type: InlineMeetingType | None = None


class UserCreated(WireStruct):
    user_id: uuid.UUID
    availability_id: uuid.UUID
    meeting_type_id: uuid.UUID
    booking_url: str
    company_id: uuid.UUID


class UserUpdate(InputStruct):
    """Every field optional; `null` clears the optional profile fields."""

    given_name: Name | msgspec.UnsetType = msgspec.UNSET
    family_name: Name | msgspec.UnsetType = msgspec.UNSET
    slug: Slug | msgspec.UnsetType = msgspec.UNSET
    timezone: TimeZone | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    title: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType | None = msgspec.UNSET
    phone: Annotated[str, msgspec.Meta(max_length=50)] | msgspec.UnsetType | None = msgspec.UNSET
    company: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType | None = msgspec.UNSET
    date_format: DateFormat | msgspec.UnsetType | None = msgspec.UNSET
    time_format: TimeFormat | msgspec.UnsetType | None = msgspec.UNSET
    week_start: Literal["monday", "sunday", "saturday"] | msgspec.UnsetType | None = msgspec.UNSET
    #: owners and admins may make a user an admin or a member, never above their own role
    role: Literal["admin", "member"] | msgspec.UnsetType = msgspec.UNSET


class UserDelete(InputStruct):
    target_user_id: uuid.UUID | None = None
