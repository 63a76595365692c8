"""Every ORM model, importable from one place (Alembic reads Base.metadata from here)."""

from slotwise.models.appointment import Appointment, AppointmentStatus, Attendee
from slotwise.models.audit import AuditEntry
from slotwise.models.availability import Availability, AvailabilityException
from slotwise.models.base import Base, IdMixin, NumberMixin, TenantModel, TimestampMixin, uuid7
from slotwise.models.branding import CompanyBranding, LogoStatus
from slotwise.models.calendar import (
    Calendar,
    CalendarBusy,
    CalendarConnection,
    CalendarProvider,
    CalendarPush,
    ConnectionStatus,
    PushStatus,
)
from slotwise.models.calendar_feed import CalendarFeed
from slotwise.models.change_log import ChangeLogEntry
from slotwise.models.company import Company
from slotwise.models.credential import Credential, CredentialKind, CredentialLookup
from slotwise.models.idempotency import IdempotencyRecord
from slotwise.models.meeting_type import MeetingType
from slotwise.models.notification import (
    CompanyNotificationSettings,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from slotwise.models.oauth import OAuthClient, OAuthCode, OAuthRefreshToken, OAuthSignIn
from slotwise.models.one_time_link import OneTimeLink
from slotwise.models.personal_page import PersonalPage
from slotwise.models.queue import (
    AppointmentHost,
    DistributionPeriod,
    Queue,
    QueueMember,
    QueueType,
    QueueUserGroup,
)
from slotwise.models.rate_limit import CompanyRateLimit
from slotwise.models.schedule_version import ScheduleVersion
from slotwise.models.user import Role, User, UserSlug, UserType
from slotwise.models.webhook import (
    DeliveryStatus,
    EndpointStatus,
    PayloadFormat,
    WebhookAttempt,
    WebhookAudit,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "Appointment",
    "AppointmentHost",
    "AppointmentStatus",
    "Attendee",
    "AuditEntry",
    "Availability",
    "AvailabilityException",
    "Base",
    "Calendar",
    "CalendarBusy",
    "CalendarConnection",
    "CalendarFeed",
    "CalendarProvider",
    "CalendarPush",
    "ChangeLogEntry",
    "Company",
    "CompanyBranding",
    "CompanyNotificationSettings",
    "CompanyRateLimit",
    "ConnectionStatus",
    "Credential",
    "CredentialKind",
    "CredentialLookup",
    "DeliveryStatus",
    "DistributionPeriod",
    "EndpointStatus",
    "IdMixin",
    "IdempotencyRecord",
    "LogoStatus",
    "MeetingType",
    "Notification",
    "NotificationKind",
    "NotificationStatus",
    "NumberMixin",
    "OAuthClient",
    "OAuthCode",
    "OAuthRefreshToken",
    "OAuthSignIn",
    "OneTimeLink",
    "PayloadFormat",
    "PersonalPage",
    "PushStatus",
    "Queue",
    "QueueMember",
    "QueueType",
    "QueueUserGroup",
    "Role",
    "ScheduleVersion",
    "TenantModel",
    "TimestampMixin",
    "User",
    "UserSlug",
    "UserType",
    "WebhookAttempt",
    "WebhookAudit",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "uuid7",
]
