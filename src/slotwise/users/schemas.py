"""Wire shapes of users (meetergo's field names)."""

import uuid
from datetime import datetime

from slotwise.kit.wire import WireStruct
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


class Message(WireStruct):
    message: str
