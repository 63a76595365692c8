"""The data-rights queries, scoped to one company."""

import uuid

from sqlalchemy import Text, cast, func, or_

from slotwise.db.tenancy import TenantRepository
from slotwise.models import (
    Appointment,
    Attendee,
    Credential,
    CredentialKind,
    Notification,
    WebhookEvent,
)


class HostedAppointmentRepository(TenantRepository[Appointment]):
    model = Appointment

    async def hosted_by(self, user_id: uuid.UUID) -> list[Appointment]:
        return await self.list(
            Appointment.host_user_id == user_id, order_by=[Appointment.start_at, Appointment.id]
        )

    async def locked(self, appointment_ids: set[uuid.UUID]) -> list[Appointment]:
        if not appointment_ids:
            return []
        stmt = (
            self.select(Appointment.id.in_(appointment_ids))
            .order_by(Appointment.id)
            .with_for_update()
        )
        return list((await self.session.scalars(stmt)).all())


class PersonRepository(TenantRepository[Attendee]):
    """Attendee rows naming one person, as the attendee or as a guest they bring."""

    model = Attendee

    async def naming(self, email: str) -> list[Attendee]:
        """Rows that may name `email` (lower case) as the attendee or a guest; the guest test
        is a coarse text match, the caller checks each address exactly."""
        return await self.list(
            or_(
                func.lower(Attendee.email) == email,
                func.lower(cast(Attendee.bringalong_emails, Text)).contains(email, autoescape=True),
            ),
            order_by=[Attendee.appointment_id, Attendee.id],
        )


class CreatedCredentialRepository(TenantRepository[Credential]):
    model = Credential

    async def api_keys_created_by(self, user_id: uuid.UUID) -> list[Credential]:
        return await self.list(
            Credential.kind == CredentialKind.API_KEY,
            Credential.created_by_id == user_id,
            order_by=[Credential.created_at],
        )


class AppointmentNotificationRepository(TenantRepository[Notification]):
    model = Notification

    async def of_appointments(self, appointment_ids: set[uuid.UUID]) -> list[Notification]:
        if not appointment_ids:
            return []
        return await self.list(
            Notification.appointment_id.in_(appointment_ids),
            order_by=[Notification.created_at, Notification.id],
        )


class RecordedEventRepository(TenantRepository[WebhookEvent]):
    model = WebhookEvent

    async def naming(self, email: str) -> list[WebhookEvent]:
        """The recorded webhook bodies that mention `email` (lower case), locked until commit:
        a delivery reads the body it signs after the rewrite, never half of it."""
        text = func.lower(func.convert_from(WebhookEvent.payload, "UTF8"))
        stmt = self.select(text.contains(email, autoescape=True)).with_for_update()
        return list((await self.session.scalars(stmt)).all())
