"""Audit log wire types."""

import uuid
from datetime import datetime

from slotwise.kit.wire import WireStruct


class AuditLogEntry(WireStruct):
    id: uuid.UUID
    #: `<resource>.<verb>`, e.g. `booking.cancel`
    action: str
    resource_type: str
    resource_id: uuid.UUID | None
    #: the acting user; null for public links (booking page, invitee, mailed links)
    actor_id: uuid.UUID | None
    credential_id: uuid.UUID | None
    #: api_key, pat, booking_page, one_time_link, invitee_link, host_link or
    #: attendee_link
    credential_kind: str
    #: the `x-request-id` of the request that made the change
    request_id: str
    client_address: str
    created_at: datetime


class AuditLog(WireStruct):
    entries: list[AuditLogEntry]
    total: int
    page: int
    page_size: int
