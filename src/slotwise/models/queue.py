"""Team meeting types: a queue of hosts (round robin or collective) and the hosts of each
appointment.

A meeting type with a queue is a team type: its slots and bookings are computed over the
queue's members, each with their own availability and busy time. `appointment_host` holds one
row per host of every appointment (a trigger on `appointment` keeps the primary host's row and
every row's time and status in step), and its exclusion constraint forbids overlapping blocking
appointments of one user whether they host alone or together.
"""

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    Enum,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.appointment import AppointmentStatus
from slotwise.models.base import Base, TenantModel, TimestampMixin

HOST_OVERLAP_CONSTRAINT = "ex_appointment_host_busy"


class QueueType(enum.StrEnum):
    SIMPLE_ROUND_ROBIN = "simpleRoundRobin"
    ADVANCED_ROUND_ROBIN = "advancedRoundRobin"
    EQUAL_DISTRIBUTION = "equalDistribution"


class DistributionPeriod(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Queue(TimestampMixin, TenantModel):
    __tablename__ = "queue"
    __table_args__ = (
        UniqueConstraint("company_id", "meeting_type_id"),
        ForeignKeyConstraint(
            ["company_id", "meeting_type_id"],
            ["meeting_type.company_id", "meeting_type.id"],
            name="fk_queue_meeting_type",
            ondelete="CASCADE",
        ),
    )

    meeting_type_id: Mapped[uuid.UUID]
    type: Mapped[str] = mapped_column(String(40))
    max_lead_threshold: Mapped[int | None]
    distribution_period: Mapped[str] = mapped_column(String(10))
    prioritize_near_term: Mapped[bool] = mapped_column(default=False)


class QueueMember(Base):
    """A host of a queue: `priority` 1-3 (higher is offered first), `capacity` the most
    bookings in a distribution period (none: no cap)."""

    __tablename__ = "queue_member"
    __table_args__ = (
        PrimaryKeyConstraint("company_id", "queue_id", "user_id"),
        ForeignKeyConstraint(
            ["company_id", "queue_id"],
            ["queue.company_id", "queue.id"],
            name="fk_queue_member_queue",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_queue_member_user",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id"], ["company.id"], name="fk_queue_member_company", ondelete="CASCADE"
        ),
    )

    company_id: Mapped[uuid.UUID]
    queue_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    priority: Mapped[int] = mapped_column(default=2)
    capacity: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))


class QueueUserGroup(TimestampMixin, TenantModel):
    """Members who host together: the group is offered only when all its users are free."""

    __tablename__ = "queue_user_group"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "queue_id"],
            ["queue.company_id", "queue.id"],
            name="fk_queue_user_group_queue",
            ondelete="CASCADE",
        ),
    )

    queue_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(default=1)
    user_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid()), default=list)
    main_group_host_id: Mapped[uuid.UUID | None]


class AppointmentHost(Base):
    __tablename__ = "appointment_host"
    __table_args__ = (
        PrimaryKeyConstraint("company_id", "appointment_id", "user_id"),
        ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            name="fk_appointment_host_appointment",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_appointment_host_user",
            ondelete="CASCADE",
        ),
        ExcludeConstraint(
            ("company_id", "="),
            ("user_id", "="),
            (text("tstzrange(start_at, end_at, '[)')"), "&&"),
            name=HOST_OVERLAP_CONSTRAINT,
            using="gist",
            where=text("status IN ('confirmed', 'pending')"),
        ),
        Index("ix_appointment_host_user_start", "company_id", "user_id", "start_at"),
    )

    company_id: Mapped[uuid.UUID]
    appointment_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[AppointmentStatus] = mapped_column(
        Enum(
            AppointmentStatus,
            name="appointment_status",
            values_callable=lambda e: [m.value for m in e],
            create_type=False,
        )
    )
