"""Wire shapes of users (meetergo's field names)."""

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from slotwise.kit.wire import Color, HttpsUrl, InputStruct, WireStruct
from slotwise.models import User as UserRow


class User(WireStruct):
    id: uuid.UUID
    email: str
    given_name: str
    family_name: str
    full_name: str
    slug: str
    timezone: str
    language: str
    title: str | None
    phone: str | None
    company: str | None
    date_format: str | None
    time_format: str | None
    week_start: str | None
    is_admin: bool
    role: str
    user_type: str
    company_id: uuid.UUID
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: UserRow) -> "User":
        return cls(
            id=row.id,
            email=row.email,
            given_name=row.given_name,
            family_name=row.family_name,
            full_name=row.full_name,
            slug=row.slug,
            timezone=row.timezone,
            language=row.language,
            title=row.title,
            phone=row.phone,
            company=row.company_name,
            date_format=row.date_format,
            time_format=row.time_format,
            week_start=row.week_start,
            is_admin=row.is_admin,
            role=row.role.value,
            user_type=row.user_type.value,
            company_id=row.company_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class UserList(WireStruct):
    users: list[User]
    total: int
    count: int
    offset: int
    #: with `sortBy=updatedAt`: pass as `cursor` to get the users changed after these
    next_cursor: str | None = None


class Message(WireStruct):
    message: str


ProfileName = Annotated[str, msgspec.Meta(max_length=40, examples=["linkedin"])]


class PersonalPage(WireStruct):
    """meetergo's personal page settings of the acting user."""

    use_custom_colors: bool
    primary_color: str | None
    secondary_color: str | None
    header_image: str | None
    description: str | None
    show_all_meeting_types: bool
    meeting_type_order: list[uuid.UUID]
    online_profiles: dict[str, str]


class PersonalPageUpdate(InputStruct):
    """Only the fields sent change; `null` clears an optional field. With
    `showAllMeetingTypes: false` the page lists only the types in `meetingTypeOrder`."""

    use_custom_colors: bool | UnsetType = UNSET
    primary_color: Color | UnsetType | None = UNSET
    secondary_color: Color | UnsetType | None = UNSET
    header_image: HttpsUrl | UnsetType | None = UNSET
    description: Annotated[str, msgspec.Meta(max_length=2000)] | UnsetType | None = UNSET
    show_all_meeting_types: bool | UnsetType = UNSET
    meeting_type_order: Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)] | UnsetType = UNSET
    online_profiles: (
        Annotated[dict[ProfileName, HttpsUrl], msgspec.Meta(max_length=20)] | UnsetType
    ) = UNSET
