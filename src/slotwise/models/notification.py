"""Mail notifications: one row per mail to send (the outbox), written in the transaction of the
booking change it tells about, and a company's notification settings."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, ForeignKeyConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel, TimestampMixin


class NotificationKind(enum.StrEnum):
    """What a mail tells; the first group goes to attendees, the `host_` group to the host."""

    CONFIRMED = "booking_confirmed"
    REQUESTED = "booking_requested"
    DECLINED = "booking_declined"
    CANCELLED = "booking_cancelled"
    RESCHEDULED = "booking_rescheduled"
    REMINDER = "booking_reminder"
    #: double opt-in: the link the attendee confirms their booking with
    OPT_IN = "booking_opt_in"
    HOST_BOOKED = "host_booking_created"
    HOST_REQUEST = "host_confirmation_requested"
    HOST_CANCELLED = "host_booking_cancelled"
    HOST_RESCHEDULED = "host_booking_rescheduled"
    HOST_REMINDER = "host_booking_reminder"


class NotificationStatus(enum.StrEnum):
    QUEUED = "queued"
    #: a worker holds it until `locked_until` (after that it is queued again: the worker died)
    SENDING = "sending"
    SENT = "sent"
    #: the server refused it for good (5xx), or the retries ran out
    FAILED = "failed"
    #: not sent: no SMTP server is configured
    SKIPPED = "skipped"


class Notification(TimestampMixin, TenantModel):
    __tablename__ = "notification"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            name="fk_notification_appointment",
            ondelete="CASCADE",
        ),
        Index(
            "ix_notification_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('queued', 'sending')"),
        ),
        #: the retention job's: finished mails by when they finished
        Index(
            "ix_notification_finished",
            "updated_at",
            postgresql_where=text("status IN ('sent', 'failed', 'skipped')"),
        ),
    )

    appointment_id: Mapped[uuid.UUID] = mapped_column(index=True)
    #: the attendee it goes to; null for the host
    attendee_id: Mapped[uuid.UUID | None]
    kind: Mapped[NotificationKind] = mapped_column(
        Enum(
            NotificationKind,
            name="notification_kind",
            values_callable=lambda e: [m.value for m in e],
        )
    )
    recipient: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[NotificationStatus] = mapped_column(
        Enum(
            NotificationStatus,
            name="notification_status",
            values_callable=lambda e: [m.value for m in e],
        ),
        default=NotificationStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    #: when it is due: now for most, the reminder time for reminders, later after a failure
    next_attempt_at: Mapped[datetime]
    #: while sending: when another worker may take over; while queued: until when a wake-up
    #: sent by the relay covers it
    locked_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))
    #: what the mail needs beyond the rows: the old start, the reason, the attendee's manage
    #: link (its secret is removed once the mail is out)
    context: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class CompanyNotificationSettings(TimestampMixin, TenantModel):
    """Which mails a company sends; absent: all of them, reminders a day and an hour before."""

    __tablename__ = "company_notification_settings"
    __table_args__ = (UniqueConstraint("company_id"),)

    host_emails: Mapped[bool] = mapped_column(default=True)
    attendee_emails: Mapped[bool] = mapped_column(default=True)
    #: the host gets the reminders too (at the same times as the attendees)
    host_reminders: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    #: where host mails link to: the partner's page of an appointment, `{appointmentId}` in it
    host_appointment_url: Mapped[str | None] = mapped_column(String(2000))
    #: minutes before the start, for meeting types that set none
    reminder_defaults: Mapped[list[int]] = mapped_column(JSONB, default=lambda: [1440, 60])
