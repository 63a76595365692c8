"""Event types and the single place that records an event for webhook delivery.

Every change that partners hear about calls `emit` inside the transaction of the change. The
transactional outbox (event and delivery rows written in that same transaction) is built on this
call site; until it exists, `emit` records nothing.
"""

import enum
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.tenancy import CompanyId


class EventType(enum.StrEnum):
    BOOKING_CREATED = "booking_created"
    BOOKING_CANCELLED = "booking_cancelled"
    BOOKING_RESCHEDULED = "booking_rescheduled"
    NEW_EMPLOYEE = "new_employee"


async def emit(
    session: AsyncSession, company_id: CompanyId, event: EventType, payload: Mapping[str, Any]
) -> None:
    """Record `event` for the company's subscribed endpoints, in the caller's transaction."""
    del session, company_id, event, payload
