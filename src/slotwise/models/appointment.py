"""Appointments (bookings) and their attendees.

Double booking is impossible by construction: an exclusion constraint forbids two overlapping
confirmed or pending appointments of one host, whatever the code does. Pending rows are
provisional bookings waiting for the attendee's confirmation (double opt-in) or the host's; they
hold their time until confirmed, declined or expired.
"""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Enum,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import NumberMixin, TenantModel, TimestampMixin


class AppointmentStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    PENDING = "pending"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    EXPIRED = "expired"


#: statuses that hold time on the host's calendar
BLOCKING = (AppointmentStatus.CONFIRMED, AppointmentStatus.PENDING)
OVERLAP_CONSTRAINT = "ex_appointment_host_overlap"


class Appointment(NumberMixin, TimestampMixin, TenantModel):
    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        ForeignKeyConstraint(
            ["company_id", "meeting_type_id"],
            ["meeting_type.company_id", "meeting_type.id"],
            name="fk_appointment_meeting_type",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "host_user_id"],
            ["user.company_id", "user.id"],
            name="fk_appointment_host",
            ondelete="CASCADE",
        ),
        ExcludeConstraint(
            ("company_id", "="),
            ("host_user_id", "="),
            (text("tstzrange(start_at, end_at, '[)')"), "&&"),
            name=OVERLAP_CONSTRAINT,
            using="gist",
            where=text("status IN ('confirmed', 'pending')"),
        ),
        Index("ix_appointment_host_start", "host_user_id", "start_at"),
        #: the completion sweep's: confirmed appointments not yet announced as completed
        Index(
            "ix_appointment_to_complete",
            "end_at",
            postgresql_where=text("status = 'confirmed' AND completed_at IS NULL"),
        ),
    )

    meeting_type_id: Mapped[uuid.UUID] = mapped_column(index=True)
    host_user_id: Mapped[uuid.UUID]
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[AppointmentStatus] = mapped_column(
        Enum(
            AppointmentStatus,
            name="appointment_status",
            values_callable=lambda e: [m.value for m in e],
        )
    )
    #: the meeting type's buffers and seats when booked (they keep applying if the type changes)
    buffer_before: Mapped[int] = mapped_column(default=0)
    buffer_after: Mapped[int] = mapped_column(default=0)
    total_spots: Mapped[int] = mapped_column(default=1)
    channel: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[str | None] = mapped_column(String(2000))
    meeting_info: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    #: SHA-256 of the invitee secret that allows unauthenticated cancel and reschedule
    secret_hash: Mapped[str] = mapped_column(String(64))
    booking_type: Mapped[str | None] = mapped_column(String(40))
    #: SHA-256 of the token in the attendee's confirm link (double opt-in); kept once used, so
    #: a second click is recognised
    opt_in_hash: Mapped[str | None] = mapped_column(String(64))
    request: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    expires_at: Mapped[datetime | None]
    cancel: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    rescheduled_at: Mapped[datetime | None]
    reschedule_count: Mapped[int] = mapped_column(default=0)
    ics_sequence: Mapped[int] = mapped_column(default=0)
    #: sent with the booking: no mails to its attendees (the host's still go)
    skip_notifications: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    #: when `booking_completed` was recorded for it (it ended while confirmed)
    completed_at: Mapped[datetime | None]
    #: a team booking's queue, the host it chose and why (`queueBookingInfo`)
    queue_info: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Attendee(TenantModel):
    __tablename__ = "attendee"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            name="fk_attendee_appointment",
            ondelete="CASCADE",
        ),
    )

    appointment_id: Mapped[uuid.UUID] = mapped_column(index=True)
    email: Mapped[str] = mapped_column(String(320))
    firstname: Mapped[str] = mapped_column(String(100))
    lastname: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(50))
    timezone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(8))
    receive_reminders: Mapped[bool] = mapped_column(default=True)
    data_policy_accepted: Mapped[bool | None]
    #: guests the attendee brings (invited, mailed; they hold no secret)
    bringalong_emails: Mapped[list[str]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    notes: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    custom_field_values: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    #: SHA-256 of this attendee's invitee secret (each attendee of a group has their own);
    #: empty while the booking waits for host confirmation
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
