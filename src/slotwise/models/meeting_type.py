"""Meeting type: the bookable template of a host (duration, buffers, notice, horizon, seats)."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, Numeric, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import NumberMixin, TenantModel, TimestampMixin

DEFAULT_INTERVAL_CAP = 60


class MeetingType(NumberMixin, TimestampMixin, TenantModel):
    __tablename__ = "meeting_type"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_meeting_type_user",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "availability_id"],
            ["availability.company_id", "availability.id"],
            name="fk_meeting_type_availability",
        ),
        Index(
            "uq_meeting_type_slug_per_user",
            "company_id",
            "user_id",
            "slug",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    availability_id: Mapped[uuid.UUID] = mapped_column(index=True)
    slug: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(5000), default="")
    duration: Mapped[int]
    channel: Mapped[str] = mapped_column(String(40))
    custom_channel_name: Mapped[str | None] = mapped_column(String(200))
    custom_channel_link: Mapped[str | None] = mapped_column(String(2000))
    buffer_before: Mapped[int] = mapped_column(default=0)
    buffer_after: Mapped[int] = mapped_column(default=0)
    color: Mapped[str | None] = mapped_column(String(40))
    timeslot_interval: Mapped[int | None]
    booking_minimum: Mapped[int] = mapped_column(default=30)
    days_into_future: Mapped[dict[str, Any]] = mapped_column(JSONB)
    spots: Mapped[int] = mapped_column(default=1)
    meeting_options: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    meta: Mapped[dict[str, str]] = mapped_column("metadata", JSONB, default=dict)
    locations: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    custom_fields: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    #: reminder mails, in minutes before the start; null: the company's defaults
    reminders: Mapped[list[int] | None] = mapped_column(JSONB)
    deleted_at: Mapped[datetime | None]
    #: a team type's queue (`models.queue`); null for a single-host type
    queue_id: Mapped[uuid.UUID | None]
    #: a team type's rule: `anyone` (one free host is enough) or `everyone` (collective)
    calculation_method: Mapped[str | None] = mapped_column(String(10))

    @property
    def interval(self) -> int:
        """Minutes between slot starts: the chosen interval, else the duration up to an hour."""
        return self.timeslot_interval or min(self.duration, DEFAULT_INTERVAL_CAP)
