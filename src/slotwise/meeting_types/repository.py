"""Meeting type queries, scoped to one company; soft-deleted types are never returned."""

import uuid

from sqlalchemy.exc import IntegrityError

from slotwise.errors import Conflict, constraint_name
from slotwise.models import MeetingType
from slotwise.tenancy import TenantRepository
from slotwise.users.slugs import with_suffix

SLUG_INDEX = "uq_meeting_type_slug_per_user"
SLUG_TAKEN = "Slug already exists"
SLUG_ATTEMPTS = 5


class MeetingTypeRepository(TenantRepository[MeetingType]):
    model = MeetingType
    not_found_message = "Meeting type not found"

    async def of_user(self, user_id: uuid.UUID) -> list[MeetingType]:
        return await self.list(
            MeetingType.user_id == user_id,
            MeetingType.deleted_at.is_(None),
            order_by=[MeetingType.created_at, MeetingType.id],
        )

    async def owned(
        self, meeting_type_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
    ) -> MeetingType:
        return await self.get_or_404(
            meeting_type_id,
            MeetingType.user_id == user_id,
            MeetingType.deleted_at.is_(None),
            for_update=for_update,
        )

    async def using(
        self, availability_id: uuid.UUID, *, besides: uuid.UUID | None = None
    ) -> list[MeetingType]:
        """Live meeting types that book against an availability (`besides` left out)."""
        where = [MeetingType.availability_id == availability_id, MeetingType.deleted_at.is_(None)]
        if besides is not None:
            where.append(MeetingType.id != besides)
        return await self.list(*where, order_by=[MeetingType.created_at, MeetingType.id])

    async def insert(self, row: MeetingType, *, slug: str, explicit: bool) -> MeetingType:
        """Insert under a savepoint; a derived slug that is taken gets a short suffix and retries.

        An explicit slug that a live meeting type of the same user has is a 409.
        """
        candidate = slug
        for _ in range(SLUG_ATTEMPTS):
            row.slug = candidate
            try:
                async with self.session.begin_nested():
                    self.add(row)
                    await self.session.flush()
            except IntegrityError as exc:
                if constraint_name(exc) != SLUG_INDEX:
                    raise
                if explicit:
                    raise Conflict(SLUG_TAKEN) from exc
                candidate = with_suffix(slug)
                continue
            return row
        raise Conflict(SLUG_TAKEN)
