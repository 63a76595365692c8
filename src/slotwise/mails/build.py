"""What one notification's mail says, read from the rows at send time (after the change has
committed, so it shows the appointment as it is then)."""

import uuid
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.bookings import ics
from slotwise.bookings.repository import AppointmentRepository, AttendeeRepository
from slotwise.companies.look import brand_of
from slotwise.db.tenancy import CompanyId
from slotwise.mails.compose import Brand, Kind, Mail, Person, compose
from slotwise.meeting_types.repository import HostRepository, MeetingTypeRepository
from slotwise.models import (
    Appointment,
    AppointmentStatus,
    Attendee,
    Company,
    MeetingType,
    Notification,
    User,
)
from slotwise.notifications.repository import NotificationSettingsRepository
from slotwise.public.service import manage_url
from slotwise.settings import Settings

CANCELLING = {Kind.CANCELLED, Kind.HOST_CANCELLED}
WITH_CALENDAR = {Kind.CONFIRMED, Kind.RESCHEDULED, Kind.CANCELLED}


def message_id(notification_id: uuid.UUID, mail_from: str) -> str:
    """Stable per notification: a mail sent again after a crash is recognisably the same."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "slotwise.invalid"
    return f"<{notification_id}@{domain}>"


def _notes(attendee: Attendee | None) -> str | None:
    if attendee is None or not attendee.notes:
        return None
    return "\n".join(str(value) for value in attendee.notes.values() if value) or None


def _answers(
    fields: list[dict[str, object]], attendees: list[Attendee]
) -> tuple[tuple[str, str], ...]:
    labels = {str(field["key"]): str(field.get("label") or field["key"]) for field in fields}
    answers: list[tuple[str, str]] = []
    for attendee in attendees:
        for key, value in attendee.custom_field_values.items():
            shown = ("✓" if value else "✗") if isinstance(value, bool) else str(value)
            answers.append((labels.get(key, key), shown))
    return tuple(answers)


def _person(user: User) -> Person:
    return Person(user.full_name, user.email)


class MailBuilder:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings

    async def build(self, row: Notification) -> EmailMessage | None:
        """The message for `row`; None when its appointment no longer exists."""
        company_id = CompanyId(row.company_id)
        appointment = await AppointmentRepository(self.session, company_id).get(row.appointment_id)
        if appointment is None:
            return None
        attendees = await AttendeeRepository(self.session, company_id).of_appointments(
            [appointment.id]
        )
        host = await HostRepository(self.session, company_id).get_or_404(appointment.host_user_id)
        return compose(await self.mail(row, appointment, attendees, host))

    async def _brand(self, company_id: CompanyId) -> Brand:
        look = await brand_of(self.session, company_id)
        company = await self.session.get(Company, company_id)
        name = look.name or (company.name if company is not None else None) or "slotwise"
        base = self.settings.public_url.rstrip("/")
        return Brand(
            name=name,
            logo_url=f"{base}{look.logo}" if look.logo else None,
            color=look.colors.get("--brand"),
            text_color=look.colors.get("--brand-text"),
        )

    async def _appointment_url(self, company_id: CompanyId, appointment: Appointment) -> str | None:
        """The partner's page of the appointment, when the company named one."""
        settings = await NotificationSettingsRepository(self.session, company_id).current()
        template = settings.host_appointment_url if settings is not None else None
        return template.replace("{appointmentId}", str(appointment.id)) if template else None

    def _decision_url(self, row: Notification, action: str) -> str | None:
        """The host's Confirm / Decline page; the token rides in the fragment, like a manage
        link's secret, so it never reaches a server log."""
        token = row.context.get("secret")
        if not token:
            return None
        base = self.settings.public_url.rstrip("/")
        return f"{base}/rq/{row.appointment_id}?action={action}&lang={row.language}#{token}"

    def _opt_in_url(self, row: Notification) -> str | None:
        """The attendee's page to confirm a double opt-in booking; the token rides in the
        fragment too."""
        token = row.context.get("secret")
        if not token:
            return None
        base = self.settings.public_url.rstrip("/")
        return f"{base}/ok/{row.appointment_id}?lang={row.language}#{token}"

    def _confirm_url(self, row: Notification, kind: Kind) -> str | None:
        if kind is Kind.HOST_REQUEST:
            return self._decision_url(row, "confirm")
        return self._opt_in_url(row) if kind is Kind.OPT_IN else None

    async def mail(
        self, row: Notification, appointment: Appointment, attendees: list[Attendee], host: User
    ) -> Mail:
        company_id = CompanyId(row.company_id)
        kind = Kind(row.kind.value)
        meeting_type = await MeetingTypeRepository(self.session, company_id).get(
            appointment.meeting_type_id
        )
        attendee = next((a for a in attendees if a.id == row.attendee_id), None)
        to_host = attendee is None
        context = row.context
        secret = context.get("secret")
        sender = parseaddr(self.settings.mail_from)[1]
        previous = context.get("previousStart")
        calendar = None
        # one attendee leaving a group leaves the appointment standing: no CANCEL for it
        gone = appointment.status is AppointmentStatus.CANCELLED
        if kind in WITH_CALENDAR and (gone or kind not in CANCELLING):
            # the invitee's calendar lists the invitee and the host only
            calendar = ics.calendar(appointment, [attendee] if attendee else attendees, host)
        return Mail(
            kind=kind,
            language=row.language,
            recipient=_person(host)
            if to_host
            else Person(_guest_or_name(attendee, row), row.recipient),
            sender=Person("", sender),
            reply_to=None if to_host else _person(host),
            message_id=message_id(row.id, self.settings.mail_from),
            brand=await self._brand(company_id),
            title=_title(meeting_type, appointment),
            host_name=host.full_name,
            start=appointment.start_at,
            end=appointment.end_at,
            timezone=(attendee.timezone if attendee else None) or host.timezone or "UTC",
            time_format=host.time_format or "24h",
            previous_start=datetime.fromisoformat(previous) if previous else None,
            location=appointment.location
            or (meeting_type.custom_channel_link if meeting_type else None),
            notes=_notes(attendee) if attendee else None,
            reason=context.get("reason"),
            attendees=tuple(Person(_name(a), a.email) for a in attendees if a.cancelled_at is None),
            answers=_answers(meeting_type.custom_fields if meeting_type else [], attendees)
            if to_host
            else (),
            manage_url=manage_url(self.settings.public_url, appointment.id, secret)
            if secret and not to_host and kind is not Kind.OPT_IN
            else None,
            appointment_url=await self._appointment_url(company_id, appointment)
            if to_host
            else None,
            confirm_url=self._confirm_url(row, kind),
            decline_url=self._decision_url(row, "decline") if kind is Kind.HOST_REQUEST else None,
            confirm_by=appointment.expires_at if kind is Kind.OPT_IN else None,
            ics=calendar,
            ics_method=("CANCEL" if kind in CANCELLING else "REQUEST") if calendar else None,
        )


def _guest_or_name(attendee: Attendee | None, row: Notification) -> str:
    """The attendee's name, or none for a guest they brought (addressed by email only)."""
    if attendee is None or row.recipient != attendee.email:
        return ""
    return _name(attendee)


def _name(attendee: Attendee | None) -> str:
    if attendee is None:
        return ""
    return f"{attendee.firstname} {attendee.lastname}".strip()


def _title(meeting_type: MeetingType | None, appointment: Appointment) -> str:
    """The booking's own calendar title, else the meeting type's name (as booked, if the type
    is gone)."""
    info = appointment.meeting_info
    if info.get("icsTitle"):
        return str(info["icsTitle"])
    return meeting_type.name if meeting_type is not None else str(info.get("name", ""))
