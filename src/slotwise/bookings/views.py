"""Rows to wire shapes, and the one builder of booking webhook payloads."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from slotwise.bookings import schemas as s
from slotwise.meeting_types.channels import current_name
from slotwise.models import (
    Appointment,
    AppointmentStatus,
    Attendee,
    MeetingType,
    Notification,
    NotificationStatus,
    User,
)
from slotwise.webhooks.events import EventType


def host_view(user: User) -> s.HostView:
    return s.HostView(
        id=user.id,
        email=user.email,
        given_name=user.given_name,
        family_name=user.family_name,
        full_name=user.full_name,
        slug=user.slug,
    )


def attendee_view(row: Attendee) -> s.AttendeeView:
    return s.AttendeeView(
        id=row.id,
        email=row.email,
        firstname=row.firstname,
        lastname=row.lastname,
        fullname=f"{row.firstname} {row.lastname}".strip(),
        phone=row.phone,
        timezone=row.timezone,
        language=row.language,
        receive_reminders=row.receive_reminders,
        data_policy_accepted=row.data_policy_accepted,
        bringalong_emails=list(row.bringalong_emails),
        notes=dict(row.notes),
        custom_field_values=dict(row.custom_field_values),
    )


def status_of(row: Appointment) -> s.StatusName:
    """Declined and expired provisional bookings read as cancelled (they hold no time)."""
    if row.status is AppointmentStatus.PENDING:
        return "pending"
    if row.status is AppointmentStatus.CONFIRMED:
        return "confirmed"
    return "cancelled"


def _cancel(row: Appointment) -> s.CancelView | None:
    if row.cancel is None:
        return None
    return msgspec.convert(row.cancel, s.CancelView)


def queue_info(row: Appointment) -> s.QueueBookingInfo | msgspec.UnsetType:
    """A team booking's `queueBookingInfo`, as recorded when it was made."""
    if row.queue_info is None:
        return msgspec.UNSET
    return msgspec.convert(row.queue_info, s.QueueBookingInfo)


def appointment_view(
    row: Appointment, attendees: list[Attendee], host: User, cohosts: Sequence[User] = ()
) -> s.Appointment:
    """An appointment with its people (a collective one's other hosts after its host);
    attendees removed from a group are left out."""
    present = [a for a in attendees if a.cancelled_at is None]
    hosts = [host, *cohosts]
    return s.Appointment(
        id=row.id,
        start=row.start_at,
        end=row.end_at,
        is_cancelled=status_of(row) == "cancelled",
        rescheduled_at=row.rescheduled_at,
        reschedule_count=row.reschedule_count,
        status=status_of(row),
        meeting_type_id=row.meeting_type_id,
        meeting_info=dict(row.meeting_info),
        location=row.location,
        channel=current_name(row.channel) if row.channel else None,
        cancel=_cancel(row),
        attendees=[attendee_view(a) for a in present],
        attendee_ids=[a.id for a in present],
        hosts=[host_view(user) for user in hosts],
        host_ids=[user.id for user in hosts],
        company_id=row.company_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        queue_booking_info=queue_info(row),
    )


def provisional_status(row: Appointment, now: datetime) -> s.ProvisionalStatus:
    if row.status is AppointmentStatus.PENDING:
        expired = row.expires_at is not None and row.expires_at <= now
        return "expired" if expired else "pending"
    if row.status is AppointmentStatus.EXPIRED:
        return "expired"
    if row.status is AppointmentStatus.DECLINED:
        return "declined_by_host"
    return "confirmed"


def provisional_view(row: Appointment, host: User, now: datetime) -> s.ProvisionalBooking:
    return s.ProvisionalBooking(
        id=row.id,
        dto=dict(row.request),
        type=s.DOUBLE_OPT_IN if row.booking_type == s.DOUBLE_OPT_IN else s.HOST_CONFIRMATION,
        status=provisional_status(row, now),
        hosts=[host_view(host)],
        meeting_type_id=row.meeting_type_id,
        start=row.start_at,
        end=row.end_at,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )


def invitee_view(row: Appointment) -> s.InviteeAppointment:
    return s.InviteeAppointment(
        id=row.id,
        start=row.start_at,
        end=row.end_at,
        status=status_of(row),
        is_cancelled=status_of(row) == "cancelled",
        rescheduled_at=row.rescheduled_at,
        meeting_info=dict(row.meeting_info),
        location=row.location,
    )


def event_payload(
    event: EventType,
    appointment: s.Appointment,
    meeting_type: MeetingType | None,
    **extra: Any,
) -> dict[str, Any]:
    """meetergo's flat webhook body: `webhookType` plus the appointment (never its secret).

    `extra` adds event details such as `previousStart` (reschedules), `cancelledAttendeeId`
    (one attendee left a group) or `previousHostIds` (reassignments).
    """
    body: dict[str, Any] = {"webhookType": event.value}
    body |= msgspec.to_builtins(appointment)
    if meeting_type is not None:
        body["meetingType"] = {
            "id": str(meeting_type.id),
            "slug": meeting_type.slug,
            "meetingInfo": {"name": meeting_type.name, "duration": meeting_type.duration},
            "metadata": dict(meeting_type.meta),
        }
    body |= msgspec.to_builtins(extra)
    return body


#: a mail being handed to the server is still queued for the outside world
_WIRE_STATUS: dict[NotificationStatus, s.NotificationState] = {
    NotificationStatus.QUEUED: "queued",
    NotificationStatus.SENDING: "queued",
    NotificationStatus.SENT: "sent",
    NotificationStatus.FAILED: "failed",
    NotificationStatus.SKIPPED: "skipped",
}


def notification_view(row: Notification) -> s.NotificationView:
    return s.NotificationView(
        id=row.id,
        kind=row.kind.value,
        recipient=row.recipient,
        language=row.language,
        status=_WIRE_STATUS[row.status],
        attempts=row.attempts,
        due_at=row.next_attempt_at,
        sent_at=row.sent_at,
        error=row.error,
    )
