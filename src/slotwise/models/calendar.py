"""Connected calendars: a host's connection to a calendar server or feed, the calendars found
there, the busy time copied in from the selected ones, and the outbox of bookings written out.

Busy time is a copy, refreshed by the sync job: the slot engine reads it with one indexed query
and never waits on a calendar server. Credentials (and an ICS feed's secret address) are sealed
under `SLOTWISE_SECRET_KEYS`, bound to their connection.
"""

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKeyConstraint, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel, TimestampMixin


class CalendarProvider(enum.StrEnum):
    CALDAV = "caldav"
    ICS = "ics"
    GOOGLE = "google"
    OUTLOOK = "outlook"


class ConnectionStatus(enum.StrEnum):
    CONNECTED = "connected"
    #: the last sync failed (`error` says why); busy time stays as last copied
    ERROR = "error"


class PushStatus(enum.StrEnum):
    QUEUED = "queued"
    #: a worker holds it until `locked_until`
    SENDING = "sending"
    DONE = "done"
    #: the retries ran out
    FAILED = "failed"


def _enum(cls: type[enum.StrEnum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e])


class CalendarConnection(TimestampMixin, TenantModel):
    __tablename__ = "calendar_connection"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_calendar_connection_user",
            ondelete="CASCADE",
        ),
        #: the sync sweep's: connections by when they were last synced
        Index("ix_calendar_connection_synced_at", "synced_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    provider: Mapped[CalendarProvider] = mapped_column(_enum(CalendarProvider, "calendar_provider"))
    #: the account's name as shown (a CalDAV user name, or the feed's host)
    email: Mapped[str | None] = mapped_column(String(320))
    #: the server or feed URL with user name and password, sealed (a feed's address is secret)
    credentials: Mapped[str] = mapped_column(Text)
    #: where the server keeps the user's calendars (CalDAV calendar-home-set)
    home_url: Mapped[str | None] = mapped_column(Text)
    is_primary: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ConnectionStatus] = mapped_column(
        _enum(ConnectionStatus, "calendar_connection_status"),
        default=ConnectionStatus.CONNECTED,
    )
    error: Mapped[str | None] = mapped_column(String(500))
    #: the `credential_error` webhook went out for the current failure
    error_notified: Mapped[bool] = mapped_column(default=False)
    #: the last successful sync: busy time is as fresh as this
    synced_at: Mapped[datetime | None]
    #: a sync in progress holds the connection until then (one sync at a time)
    sync_locked_until: Mapped[datetime | None]


class Calendar(TimestampMixin, TenantModel):
    """One calendar of a connection: whether it blocks slots, whether bookings go into it, and
    what the server said last time (CalDAV ctag or sync token, a feed's ETag / Last-Modified)."""

    __tablename__ = "calendar"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "connection_id"],
            ["calendar_connection.company_id", "calendar_connection.id"],
            name="fk_calendar_connection",
            ondelete="CASCADE",
        ),
        UniqueConstraint("company_id", "connection_id", "href", name="uq_calendar_href"),
    )

    #: found through `uq_calendar_href`, which leads with the connection
    connection_id: Mapped[uuid.UUID]
    href: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200))
    read_only: Mapped[bool] = mapped_column(default=False)
    #: its events block slots
    is_selected: Mapped[bool] = mapped_column(default=True)
    #: bookings are written into it (at most one per host)
    receives_bookings: Mapped[bool] = mapped_column(default=False)
    #: the server's change marker when the busy copy was made; null: copy again
    version: Mapped[str | None] = mapped_column(Text)
    #: for a feed: its Last-Modified, sent back as If-Modified-Since
    last_modified: Mapped[str | None] = mapped_column(String(100))
    #: when the busy copy was last rebuilt (recurring events are expanded from then on)
    refreshed_at: Mapped[datetime | None]


class CalendarBusy(TenantModel):
    """A busy span of a selected calendar, recurring events expanded (UTC, half-open)."""

    __tablename__ = "calendar_busy"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "calendar_id"],
            ["calendar.company_id", "calendar.id"],
            name="fk_calendar_busy_calendar",
            ondelete="CASCADE",
        ),
        #: the slot engine's: a connection's busy time in a window
        Index("ix_calendar_busy_window", "company_id", "connection_id", "start_at"),
    )

    calendar_id: Mapped[uuid.UUID] = mapped_column(index=True)
    connection_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]


class CalendarPush(TimestampMixin, TenantModel):
    """The outbox of bookings out: one row per appointment and connection, queued again by every
    change. The job makes the calendar match the appointment as it is then (put while it is
    confirmed, removed otherwise), so a retried or repeated run changes nothing twice."""

    __tablename__ = "calendar_push"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "connection_id"],
            ["calendar_connection.company_id", "calendar_connection.id"],
            name="fk_calendar_push_connection",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["company_id", "appointment_id"],
            ["appointment.company_id", "appointment.id"],
            name="fk_calendar_push_appointment",
            ondelete="CASCADE",
        ),
        UniqueConstraint(
            "company_id", "connection_id", "appointment_id", name="uq_calendar_push_appointment"
        ),
        Index(
            "ix_calendar_push_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('queued', 'sending')"),
        ),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(index=True)
    appointment_id: Mapped[uuid.UUID] = mapped_column(index=True)
    status: Mapped[PushStatus] = mapped_column(
        _enum(PushStatus, "calendar_push_status"), default=PushStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
    #: where the event is now (null: not in the calendar)
    event_href: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(String(500))
