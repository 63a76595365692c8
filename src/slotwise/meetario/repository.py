"""The integer ids of /api/v1: resolve a path's id to the row's UUID, and number the rows an
answer names; scoped to the caller's company like every other query."""

import uuid
from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar

from sqlalchemy import select

from slotwise.db.tenancy import TenantRepository
from slotwise.kit.errors import NotFound
from slotwise.meetario.ids import Kind, parse_ref
from slotwise.models import Appointment, Availability, MeetingType, User, WebhookEndpoint
from slotwise.models.base import TenantModel

M = TypeVar("M", bound=TenantModel)


class NumberedRepository(TenantRepository[M]):
    kind: ClassVar[Kind]

    async def resolve(self, raw: str) -> uuid.UUID:
        """The UUID of the row a path names (integer, prefixed or plain UUID); 404 otherwise."""
        ref = parse_ref(self.kind, raw)
        table: Any = self.model  # every numbered model has `id` and `number`
        found: uuid.UUID | None = None
        if ref is not None:
            match = table.id == ref if isinstance(ref, uuid.UUID) else table.number == ref
            found = await self.session.scalar(select(table.id).where(self._scope, match))
        if found is None:
            raise NotFound(self.not_found_message)
        return found

    async def numbers(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        table: Any = self.model
        stmt = select(table.id, table.number).where(self._scope, table.id.in_(wanted))
        return {row[0]: row[1] for row in await self.session.execute(stmt)}

    async def number(self, id_: uuid.UUID) -> int:
        found = (await self.numbers([id_])).get(id_)
        if found is None:
            raise NotFound(self.not_found_message)
        return found


class EventNumbers(NumberedRepository[Appointment]):
    model = Appointment
    kind = Kind.EVENT
    not_found_message = "Event not found"


class EventTypeNumbers(NumberedRepository[MeetingType]):
    model = MeetingType
    kind = Kind.EVENT_TYPE
    not_found_message = "Event type not found"


class UserNumbers(NumberedRepository[User]):
    model = User
    kind = Kind.USER
    not_found_message = "User not found"


class WebhookNumbers(NumberedRepository[WebhookEndpoint]):
    model = WebhookEndpoint
    kind = Kind.WEBHOOK
    not_found_message = "Webhook not found"


class EventTypeFacts(TenantRepository[MeetingType]):
    """What an event's `event_type` names, for the types an answer's events refer to (deleted
    ones included: a past event keeps its type)."""

    model = MeetingType

    async def of(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, MeetingType]:
        wanted = list(set(ids))
        rows = await self.list(MeetingType.id.in_(wanted)) if wanted else []
        return {row.id: row for row in rows}


class Schedules(TenantRepository[Availability]):
    """The availabilities event types use: their zone and weekdays."""

    model = Availability

    async def of(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Availability]:
        wanted = list(set(ids))
        rows = await self.list(Availability.id.in_(wanted)) if wanted else []
        return {row.id: row for row in rows}
