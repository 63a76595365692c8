"""The completion sweep: `booking_completed` (Meetario's `booking.completed`) for every
confirmed appointment once it has ended.

Each batch is one transaction: the appointments are marked completed and their events recorded
together (the outbox), so an appointment is announced exactly once, and a failed batch leaves
its rows for the next run.
"""

import logging
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.bookings.completion_queue import claim_ended
from slotwise.bookings.lifecycle import AppointmentLifecycle
from slotwise.db.tenancy import CompanyId
from slotwise.jobs import flush_after_commit
from slotwise.webhooks.events import EventType
from slotwise.webhooks.repository import EndpointRepository

COMPLETE_ENDED = "bookings.complete_ended"
BATCH = 100

log = logging.getLogger("slotwise.bookings")


async def announce(session: AsyncSession, company_id: CompanyId, ids: list[uuid.UUID]) -> int:
    """Record `booking_completed` for the company's appointments; how many events were made
    (none when no endpoint listens: the appointments are marked all the same)."""
    endpoints = EndpointRepository(session, company_id)
    if not await endpoints.subscribed(EventType.BOOKING_COMPLETED.value):
        return 0
    lifecycle = AppointmentLifecycle(session, company_id)
    for appointment_id in ids:
        row = await lifecycle.appointments.get(appointment_id)
        if row is not None:
            await lifecycle.emit(EventType.BOOKING_COMPLETED, row)
    return len(ids)


async def complete_ended(ctx: dict[str, Any]) -> int:
    """Announce every appointment that has ended, a batch per transaction; how many ended."""
    total = 0
    while True:
        async with ctx["sessionmaker"]() as session:
            async with session.begin():
                claimed = await claim_ended(session, datetime.now(UTC), BATCH)
                by_company: dict[CompanyId, list[uuid.UUID]] = defaultdict(list)
                for company_id, appointment_id in claimed:
                    by_company[company_id].append(appointment_id)
                for company_id, ids in by_company.items():
                    await announce(session, company_id, ids)
            await flush_after_commit(session, ctx.get("redis"))
        total += len(claimed)
        if len(claimed) < BATCH:
            if total:
                log.info("%d appointment(s) completed", total)
            return total
