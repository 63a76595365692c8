"""The audit log: one row per successful change made through the API, written in the change's
own transaction. Rows are never updated; the database refuses it (see the migration), and only
the retention job deletes them."""

import uuid
from datetime import datetime

from sqlalchemy import Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel


class AuditEntry(TenantModel):
    """Ids and names only: no attendee data, no secrets."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_company_created", "company_id", "created_at", "id"),
        Index("ix_audit_log_created_at", "created_at"),
    )

    #: the credential that made the change; null for public links (booking page, invitee)
    credential_id: Mapped[uuid.UUID | None]
    #: api_key, pat, booking_page, invitee_link, host_link, attendee_link
    credential_kind: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[uuid.UUID | None]
    #: `<resource>.<verb>`, e.g. `booking.cancel`, stable per route
    action: Mapped[str] = mapped_column(String(64))
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[uuid.UUID | None]
    request_id: Mapped[str] = mapped_column(String(128))
    client_address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
