"""User: a schedulable person (or resource) of one company; deleted users stay as rows."""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import Base, NumberMixin, TenantModel, TimestampMixin


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class UserType(enum.StrEnum):
    STANDARD = "standard"
    API_PLATFORM = "api-platform"
    RESOURCE = "resource"
    PARTNER = "partner"


def _values(enum_cls: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in enum_cls]


class User(NumberMixin, TimestampMixin, TenantModel):
    __tablename__ = "user"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        # an email is unique within a company only (another company's staff stay unseen);
        # a deleted user's email and slug are free for a new user; a live slug is unique
        # platform-wide, and found, through `user_slug`
        Index(
            "uq_user_email_per_company",
            "company_id",
            func.lower(text("email")),
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "uq_user_one_owner_per_company",
            "company_id",
            unique=True,
            postgresql_where=text("role = 'owner'"),
        ),
    )

    email: Mapped[str] = mapped_column(String(320))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en")
    title: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    company_name: Mapped[str | None] = mapped_column(String(200))
    date_format: Mapped[str | None] = mapped_column(String(20))
    time_format: Mapped[str | None] = mapped_column(String(10))
    week_start: Mapped[str | None] = mapped_column(String(10))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", values_callable=_values), default=Role.MEMBER
    )
    user_type: Mapped[UserType] = mapped_column(
        Enum(UserType, name="user_type", values_callable=_values), default=UserType.STANDARD
    )
    #: set when the user is deleted: the row stays for the history (appointments, meeting
    #: types) that names it, but the user is gone from every user route and credential
    deleted_at: Mapped[datetime | None]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def is_admin(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)

    @property
    def user_id(self) -> uuid.UUID:
        return self.id


class UserSlug(Base):
    """The slug of every live user, unique platform-wide: a booking URL (`/{userSlug}/...`)
    names no company. Kept apart from `user` so that table can be distributed by company while
    this one stays global (a reference table), hence no foreign key to the user; the user
    repository writes it with the user's slug and removes it when the user is deleted."""

    __tablename__ = "user_slug"
    __table_args__ = (UniqueConstraint("user_id"),)

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    company_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("company.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID]
