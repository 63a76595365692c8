"""Data rights: what is stored about a user, and erasing an attendee from the bookings."""

import secrets
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.availability import schemas as availability
from slotwise.availability.repository import AvailabilityRepository, ExceptionRepository
from slotwise.bookings.repository import AttendeeRepository
from slotwise.bookings.views import appointment_view, notification_view
from slotwise.credentials.repository import CredentialRepository
from slotwise.credentials.service import api_key_view, token_view
from slotwise.kit import fields
from slotwise.kit.errors import Forbidden, ValidationFailed
from slotwise.meeting_types.repository import MeetingTypeRepository
from slotwise.meeting_types.service import booking_url
from slotwise.meeting_types.views import meeting_type_view
from slotwise.models import Attendee, NotificationStatus
from slotwise.privacy import schemas as s
from slotwise.privacy.repository import (
    AppointmentNotificationRepository,
    CreatedCredentialRepository,
    HostedAppointmentRepository,
    PersonRepository,
    RecordedEventRepository,
)
from slotwise.settings import Settings
from slotwise.users import schemas as users
from slotwise.users.repository import PersonalPageRepository, UserRepository
from slotwise.users.service import personal_page_view

ERASED_NAME = "Erased"
#: the fields next to a person's email that say more about them, and what replaces them
_PERSONAL: dict[str, Any] = {
    "firstname": ERASED_NAME,
    "firstName": ERASED_NAME,
    "lastname": "",
    "lastName": "",
    "fullname": ERASED_NAME,
    "fullName": ERASED_NAME,
    "name": ERASED_NAME,
    "phone": None,
    "notes": {},
    "customFieldValues": {},
    "custom_field_values": {},
}


def tombstone() -> str:
    """A fresh address per erased row: random, so the original cannot be recomputed from it."""
    return f"erased-{secrets.token_hex(8)}@invalid"


def scrub(value: Any, email: str, replacement: str) -> Any:
    """`value` (JSON) without the person: where an object's `email` is theirs (any case) its
    name, phone, notes and answers are replaced too, and every string naming the address is
    the replacement."""
    if isinstance(value, str):
        return replacement if email in value.lower() else value
    if isinstance(value, list):
        return [scrub(item, email, replacement) for item in value]
    if isinstance(value, dict):
        cleaned = {key: scrub(item, email, replacement) for key, item in value.items()}
        if str(value.get("email", "")).lower() == email:
            cleaned |= {key: _PERSONAL[key] for key in cleaned if key in _PERSONAL}
        return cleaned
    return value


def scrub_request(request: dict[str, Any], email: str, replacement: str) -> dict[str, Any]:
    """The stored booking body without the person; their answers go when the booking was theirs."""
    body: dict[str, Any] = scrub(request, email, replacement)
    person = request.get("attendee")
    if isinstance(person, dict) and str(person.get("email", "")).lower() == email:
        body |= {key: {} for key in ("customFieldValues", "custom_field_values") if key in body}
    return body


def scrub_body(payload: bytes, email: str) -> bytes:
    """A recorded webhook body rewritten the same way (deliveries still pending send this)."""
    return msgspec.json.encode(scrub(msgspec.json.decode(payload), email, tombstone()))


class ExportService:
    def __init__(self, session: AsyncSession, principal: Principal, public_url: str) -> None:
        self.session = session
        self.principal = principal
        self.public_url = public_url
        self.company_id = principal.company_id

    async def export(self, user_id: uuid.UUID) -> s.UserExport:
        # looked up first: another company's user is a 404 before any role check
        user = await UserRepository(self.session, self.company_id).get_or_404(user_id)
        if user.id != self.principal.user_id and not self.principal.is_admin:
            raise Forbidden("Only admins can export other users")
        cid = self.company_id
        page = await PersonalPageRepository(self.session, cid).of_user(user.id)
        rows = await AvailabilityRepository(self.session, cid).of_user(user.id)
        exceptions = await ExceptionRepository(self.session, cid).of([row.id for row in rows])
        by_availability = defaultdict(list)
        for exception in exceptions:
            by_availability[exception.availability_id].append(exception)
        types = await MeetingTypeRepository(self.session, cid).of_user(user.id)
        hosted = await HostedAppointmentRepository(self.session, cid).hosted_by(user.id)
        ids = {row.id for row in hosted}
        attendees: dict[uuid.UUID, list[Attendee]] = defaultdict(list)
        for attendee in await AttendeeRepository(self.session, cid).of_appointments(ids):
            attendees[attendee.appointment_id].append(attendee)
        tokens = await CredentialRepository(self.session, cid).tokens_of(user.id)
        keys = await CreatedCredentialRepository(self.session, cid).api_keys_created_by(user.id)
        mails = await AppointmentNotificationRepository(self.session, cid).of_appointments(ids)
        now = datetime.now(UTC)
        return s.UserExport(
            profile=users.User.of(user),
            personal_page=personal_page_view(page),
            availabilities=[
                availability.Availability.of(row, by_availability[row.id]) for row in rows
            ],
            meeting_types=[
                meeting_type_view(row, booking_url(self.public_url, user.slug, row.slug))
                for row in types
            ],
            appointments=[appointment_view(row, attendees[row.id], user) for row in hosted],
            personal_access_tokens=[token_view(row, now) for row in tokens],
            api_keys=[api_key_view(row, now) for row in keys],
            notifications=[notification_view(row) for row in mails],
        )


class ErasureService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.company_id = principal.company_id

    async def erase_attendee(self, data: s.AttendeeErasure) -> s.AttendeeErased:
        errors = fields.email(data.email)
        if errors:
            raise ValidationFailed(errors=errors)
        email = data.email.strip().lower()
        cid = self.company_id
        candidates = await PersonRepository(self.session, cid).naming(email)
        rows = [
            row
            for row in candidates
            if row.email.lower() == email
            or any(guest.lower() == email for guest in row.bringalong_emails)
        ]
        touched = {row.appointment_id for row in rows}
        # the appointments are locked first, as a booking change locks them, then rewritten
        appointments = await HostedAppointmentRepository(self.session, cid).locked(touched)
        replacement: dict[uuid.UUID, str] = {}
        for row in rows:
            if row.email.lower() == email:
                row.email = replacement[row.appointment_id] = replacement[row.id] = tombstone()
                row.firstname, row.lastname = ERASED_NAME, ""
                row.phone = None
                row.notes = {}
                row.custom_field_values = {}
            # a guest's mails need no address that no longer exists
            row.bringalong_emails = [g for g in row.bringalong_emails if g.lower() != email]
        for appointment in appointments:
            fresh = replacement.get(appointment.id) or tombstone()
            appointment.request = scrub_request(appointment.request, email, fresh)
        mails = await AppointmentNotificationRepository(self.session, cid).of_appointments(touched)
        for mail in mails:
            fresh = replacement.get(mail.attendee_id or mail.appointment_id) or tombstone()
            if mail.recipient.lower() == email:
                mail.recipient = fresh
                if mail.status is NotificationStatus.QUEUED:
                    # the mail would go to an address that is gone
                    mail.status = NotificationStatus.SKIPPED
            mail.context = scrub(mail.context, email, fresh)
        for event in await RecordedEventRepository(self.session, cid).naming(email):
            event.payload = scrub_body(event.payload, email)
        await self.session.flush()
        return s.AttendeeErased(erased_appointments=len(touched))


async def provide_erasure_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> ErasureService:
    return ErasureService(db, principal)


async def provide_export_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> ExportService:
    return ExportService(db, principal, settings.public_url)
