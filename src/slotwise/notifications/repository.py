"""Notification rows and a company's notification settings, scoped to the company."""

import uuid
from typing import Any

from sqlalchemy import delete

from slotwise.db.tenancy import TenantRepository
from slotwise.models import (
    CompanyNotificationSettings,
    Notification,
    NotificationKind,
    NotificationStatus,
)

REMINDER_KINDS = (NotificationKind.REMINDER, NotificationKind.HOST_REMINDER)
DEFAULT_REMINDERS = [1440, 60]


class NotificationRepository(TenantRepository[Notification]):
    model = Notification
    not_found_message = "Appointment not found"

    async def of_appointment(self, appointment_id: uuid.UUID) -> list[Notification]:
        return await self.list(
            Notification.appointment_id == appointment_id,
            order_by=[Notification.created_at, Notification.id],
        )

    async def drop_reminders(
        self, appointment_id: uuid.UUID, attendee_id: uuid.UUID | None = None
    ) -> list[dict[str, Any]]:
        """Remove the queued reminders of an appointment (or of one attendee); their contexts,
        which may hold an attendee's secret for the next mails."""
        stmt = (
            delete(Notification)
            .where(
                self._scope,
                Notification.appointment_id == appointment_id,
                Notification.kind.in_(REMINDER_KINDS),
                Notification.status == NotificationStatus.QUEUED,
            )
            .returning(Notification.attendee_id, Notification.context)
            .execution_options(synchronize_session=False)
        )
        if attendee_id is not None:
            stmt = stmt.where(Notification.attendee_id == attendee_id)
        rows = (await self.session.execute(stmt)).all()
        return [{"attendee_id": row[0], **row[1]} for row in rows]


class NotificationSettingsRepository(TenantRepository[CompanyNotificationSettings]):
    model = CompanyNotificationSettings

    async def current(self) -> CompanyNotificationSettings | None:
        return await self.first()

    async def locked(self) -> CompanyNotificationSettings:
        return await self.locked_one(
            ["company_id"],
            host_emails=True,
            attendee_emails=True,
            host_reminders=False,
            reminder_defaults=DEFAULT_REMINDERS,
        )
