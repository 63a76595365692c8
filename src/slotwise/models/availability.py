"""Availability: weekly wall-clock rules in an IANA zone, plus date-specific exceptions."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel, TimestampMixin


class Availability(TimestampMixin, TenantModel):
    """`schedule` holds the canonical wire form (`{"monday": {"enabled", "hours"}, ...}`).

    Deleting sets `deleted_at` (and clears `is_default`): soft-deleted meeting types keep
    pointing at the availability they were booked with.
    """

    __tablename__ = "availability"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_availability_user",
            ondelete="CASCADE",
        ),
        Index(
            "uq_availability_one_default_per_user",
            "company_id",
            "user_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    is_default: Mapped[bool] = mapped_column(default=False)
    schedule: Mapped[dict[str, Any]] = mapped_column(JSONB)
    deleted_at: Mapped[datetime | None]


class AvailabilityException(TenantModel):
    """`available=False` blocks time; `True` opens time outside the weekly schedule."""

    __tablename__ = "availability_exception"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "availability_id"],
            ["availability.company_id", "availability.id"],
            name="fk_availability_exception_availability",
            ondelete="CASCADE",
        ),
        UniqueConstraint(
            "company_id",
            "availability_id",
            "holiday_key",
            name="uq_availability_exception_holiday_key",
        ),
    )

    availability_id: Mapped[uuid.UUID] = mapped_column(index=True)
    available: Mapped[bool]
    start: Mapped[datetime]
    end: Mapped[datetime]
    title: Mapped[str | None] = mapped_column(String(200))
    #: "<country>-<subdivision>:<date>" for imported public holidays (idempotent re-import)
    holiday_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
