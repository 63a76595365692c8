"""The mails a booking change sends, written as rows in the change's own transaction.

`AppointmentLifecycle.emit` calls `Notifier.on_change` for every change, next to the webhook
outbox: a rolled-back change sends no mail, a committed one loses none. Each row is woken after
commit; reminders wait for their time and are found by the relay. A row holds what the mail
needs beyond the tables (the old start, the reason, the attendee's secret for the manage link);
the secret leaves the row once the mail is out. The one mail that is not about a change of the
appointment is the attendee's confirm link of a double opt-in booking (`ask_to_confirm`).
"""

import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.tenancy import CompanyId
from slotwise.jobs import Wakeup, after_commit
from slotwise.models import (
    Appointment,
    Attendee,
    Notification,
    NotificationKind,
    NotificationStatus,
    User,
    uuid7,
)
from slotwise.notifications.repository import (
    DEFAULT_REMINDERS,
    NotificationRepository,
    NotificationSettingsRepository,
)
from slotwise.webhooks.events import EventType

#: the arq job that sends one notification
SEND = "notifications.send"

Kind = NotificationKind
#: the mails an attendee's guests get too
GUEST_KINDS = frozenset({Kind.CONFIRMED, Kind.RESCHEDULED, Kind.CANCELLED})


def send_wakeup(notification_id: uuid.UUID, attempt: int, *, again: bool = False) -> Wakeup:
    """The wake-up for one attempt; its job id makes duplicates of it a no-op in the queue."""
    job_id = f"ntf:{notification_id}:{attempt}"
    if again:
        job_id += f":{time.time_ns() // 1_000_000}"
    return Wakeup(SEND, (str(notification_id),), job_id=job_id)


@dataclass(frozen=True)
class Private:
    """What a change tells the mails but never the webhooks."""

    #: invitee secrets known to this change, by attendee id (for the manage links)
    secrets: Mapping[uuid.UUID, str] = field(default_factory=dict)
    #: the secret of a booking waiting for the host (for the Confirm / Decline links)
    host_token: str | None = None
    #: no mails to attendees for this change (the booking asked for none)
    quiet: bool = False


@dataclass(frozen=True)
class Change:
    """A booking change as the mails see it."""

    event: EventType
    appointment: Appointment
    attendees: Sequence[Attendee]
    host: User
    #: the meeting type's reminders (minutes before the start); None: the company's defaults
    reminders: Sequence[int] | None = None
    private: Private = field(default_factory=Private)
    #: what the webhook payload adds (attendeeId, cancelledAttendeeId, previousStart, …)
    extra: Mapping[str, Any] = field(default_factory=dict)


class Notifier:
    def __init__(self, session: AsyncSession, company_id: CompanyId) -> None:
        self.session = session
        self.rows = NotificationRepository(session, company_id)
        self.settings = NotificationSettingsRepository(session, company_id)

    async def on_change(self, change: Change) -> None:
        settings = await self.settings.current()
        host_on = settings is None or settings.host_emails
        attendees_on = (settings is None or settings.attendee_emails) and not (
            change.appointment.skip_notifications or change.private.quiet
        )
        defaults = DEFAULT_REMINDERS if settings is None else settings.reminder_defaults
        minutes = defaults if change.reminders is None else change.reminders
        host_reminders = host_on and settings is not None and settings.host_reminders
        plan = _Plan(self, change, host_on, attendees_on, list(minutes), host_reminders)
        await plan.run()

    def ask_to_confirm(
        self, appointment: Appointment, attendees: Sequence[Attendee], host: User, token: str
    ) -> None:
        """Double opt-in: the link the attendee confirms their booking with. It goes whatever
        the company's attendee mails or the booking's `skipNotifications` say: without it the
        booking could only expire."""
        for attendee in attendees:
            language = attendee.language or host.language or "en"
            context = {"secret": token}
            self.queue(
                appointment.id,
                Kind.OPT_IN,
                attendee.email,
                language,
                attendee_id=attendee.id,
                context=context,
            )

    def queue(
        self,
        appointment_id: uuid.UUID,
        kind: Kind,
        recipient: str,
        language: str,
        *,
        attendee_id: uuid.UUID | None = None,
        due: datetime | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        now = datetime.now(UTC)
        row = self.rows.add(
            Notification(
                id=uuid7(),
                appointment_id=appointment_id,
                attendee_id=attendee_id,
                kind=kind,
                recipient=recipient,
                language=language,
                status=NotificationStatus.QUEUED,
                attempts=0,
                next_attempt_at=due or now,
                context=dict(context or {}),
            )
        )
        if due is None or due <= now:
            after_commit(self.session, send_wakeup(row.id, 1))


@dataclass
class _Plan:
    """Who gets which mail for one change."""

    notifier: Notifier
    change: Change
    host_on: bool
    attendees_on: bool
    reminder_minutes: list[int]
    host_reminders: bool

    @property
    def host(self) -> User:
        return self.change.host

    def _language(self, attendee: Attendee | None) -> str:
        chosen = attendee.language if attendee is not None else None
        return chosen or self.host.language or "en"

    def _targets(self) -> list[Attendee]:
        """The attendees this change is about: the one joining or leaving, else all active."""
        extra = self.change.extra
        for key in ("attendeeId", "cancelledAttendeeId"):
            if key in extra:
                return [a for a in self.change.attendees if a.id == extra[key]]
        return [a for a in self.change.attendees if a.cancelled_at is None]

    def _to_attendees(
        self,
        kind: Kind,
        attendees: Iterable[Attendee],
        secrets: Mapping[uuid.UUID, str],
        **ctx: Any,
    ) -> None:
        if not self.attendees_on:
            return
        for attendee in attendees:
            context = dict(ctx)
            if attendee.id in secrets:
                context["secret"] = secrets[attendee.id]
            language = self._language(attendee)
            self.notifier.queue(
                self.change.appointment.id,
                kind,
                attendee.email,
                language,
                attendee_id=attendee.id,
                context=context,
            )
            # guests hear what happens to the meeting, without the attendee's manage link
            for guest in attendee.bringalong_emails if kind in GUEST_KINDS else []:
                self.notifier.queue(
                    self.change.appointment.id,
                    kind,
                    guest,
                    language,
                    attendee_id=attendee.id,
                    context=ctx,
                )

    def _to_host(self, kind: Kind, **ctx: Any) -> None:
        if self.host_on:
            self.notifier.queue(
                self.change.appointment.id, kind, self.host.email, self._language(None), context=ctx
            )

    def _reminder_times(self) -> list[tuple[int, datetime]]:
        """(minutes before, due time) of each reminder still ahead."""
        start, now = self.change.appointment.start_at, datetime.now(UTC)
        times = [
            (minutes, start - timedelta(minutes=minutes))
            for minutes in sorted(set(self.reminder_minutes), reverse=True)
        ]
        return [(minutes, due) for minutes, due in times if due > now]

    def _reminders(
        self, attendees: Iterable[Attendee], secrets: Mapping[uuid.UUID, str], *, host: bool
    ) -> None:
        """One reminder per time still ahead, to each attendee who wants them (and to the host
        when the company asks for it and `host` says this change starts the appointment)."""
        times = self._reminder_times()
        for minutes, due in times if self.attendees_on else []:
            for attendee in attendees:
                if not attendee.receive_reminders:
                    continue
                context: dict[str, Any] = {"minutesBefore": minutes}
                if attendee.id in secrets:
                    context["secret"] = secrets[attendee.id]
                self.notifier.queue(
                    self.change.appointment.id,
                    Kind.REMINDER,
                    attendee.email,
                    self._language(attendee),
                    attendee_id=attendee.id,
                    due=due,
                    context=context,
                )
        for minutes, due in times if host and self.host_reminders else []:
            context = {"minutesBefore": minutes}
            host_email, language = self.host.email, self._language(None)
            self.notifier.queue(
                self.change.appointment.id,
                Kind.HOST_REMINDER,
                host_email,
                language,
                due=due,
                context=context,
            )

    async def run(self) -> None:
        event, secrets = self.change.event, self.change.private.secrets
        targets = self._targets()
        match event:
            case EventType.BOOKING_CREATED | EventType.BOOKING_CONFIRMED:
                self._to_attendees(Kind.CONFIRMED, targets, secrets)
                if event is EventType.BOOKING_CREATED:
                    self._to_host(Kind.HOST_BOOKED)
                # a seat taken in a group appointment adds the attendee's reminders only
                new = "attendeeId" not in self.change.extra
                self._reminders(targets, secrets, host=new)
            case EventType.BOOKING_REQUESTED:
                self._to_attendees(Kind.REQUESTED, targets, secrets)
                token = self.change.private.host_token
                self._to_host(Kind.HOST_REQUEST, **({"secret": token} if token else {}))
            case EventType.BOOKING_DECLINED:
                self._to_attendees(Kind.DECLINED, targets, secrets, reason=self._reason())
            case EventType.BOOKING_CANCELLED:
                await self._cancelled(targets)
            case EventType.BOOKING_RESCHEDULED:
                await self._rescheduled(targets)

    def _reason(self) -> str | None:
        record = self.change.extra.get("cancellation") or self.change.appointment.cancel or {}
        reason = record.get("reason") if isinstance(record, Mapping) else None
        return str(reason) if reason else None

    async def _cancelled(self, targets: list[Attendee]) -> None:
        one = self.change.extra.get("cancelledAttendeeId")
        await self.notifier.rows.drop_reminders(self.change.appointment.id, one)
        reason = self._reason()
        self._to_attendees(Kind.CANCELLED, targets, {}, reason=reason)
        self._to_host(Kind.HOST_CANCELLED, reason=reason)

    async def _rescheduled(self, targets: list[Attendee]) -> None:
        dropped = await self.notifier.rows.drop_reminders(self.change.appointment.id)
        # secrets kept by the reminders just removed serve the new mails' manage links
        secrets = {
            row["attendee_id"]: row["secret"]
            for row in dropped
            if row.get("attendee_id") and row.get("secret")
        } | dict(self.change.private.secrets)
        previous = self.change.extra.get("previousStart")
        before = previous.isoformat() if isinstance(previous, datetime) else previous
        self._to_attendees(Kind.RESCHEDULED, targets, secrets, previousStart=before)
        self._to_host(Kind.HOST_RESCHEDULED, previousStart=before)
        self._reminders(targets, secrets, host=True)
