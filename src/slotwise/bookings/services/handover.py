"""A host leaves the company: their future bookings are cancelled or move to another user.

Future = not started yet. Without a target, confirmed appointments are cancelled
(`booking_cancelled`) and bookings waiting for confirmation declined (`booking_declined`). With
a target, every future booking moves to the target (`booking_reassigned`, with
`previousHostIds`; the ICS sequence is raised), unless one would overlap a booking the target
already has: then nothing moves and the deletion is a 409 naming the clashing appointments.
Buffers are not re-checked for the target; overlaps are never allowed.
"""

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.bookings.lifecycle import Actor, AppointmentLifecycle
from slotwise.kit.errors import Conflict
from slotwise.models import AppointmentStatus
from slotwise.webhooks.events import EventType

REASON = "The host left the company"


async def release_future_bookings(
    session: AsyncSession,
    principal: Principal,
    host_id: uuid.UUID,
    target_id: uuid.UUID | None = None,
) -> None:
    core = AppointmentLifecycle(session, principal.company_id)
    now = datetime.now(UTC)
    for locked_host in sorted({host_id} | ({target_id} if target_id else set())):
        await core.hold(locked_host, now)
    rows = await core.appointments.future_of_host(host_id, now)
    actor = Actor("admin", str(principal.user_id))
    if target_id is None:
        for row in rows:
            if row.status is AppointmentStatus.PENDING:
                await core.decline(row, actor)
            else:
                await core.cancel(row, actor, REASON, cancel_all=True)
        return
    clashes = await core.appointments.overlapping_other_host(rows, target_id, now)
    if clashes:
        raise Conflict(
            "targetUserId has bookings at the same time as this user's future bookings",
            extra={"conflictingAppointmentIds": sorted(str(row.id) for row in clashes)},
        )
    for row in rows:
        row.host_user_id = target_id
        row.ics_sequence += 1
        await core.save(row)
        await core.emit(EventType.BOOKING_REASSIGNED, row, previousHostIds=[host_id])
