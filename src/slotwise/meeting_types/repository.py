"""Meeting type queries, scoped to one company; soft-deleted types are never returned."""

import uuid

from slotwise.db.slug_insert import insert_with_slug
from slotwise.db.tenancy import TenantRepository
from slotwise.models import MeetingType

SLUG_INDEX = "uq_meeting_type_slug_per_user"


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
        """Slugs are unique per host among live meeting types (see slotwise.db.slug_insert)."""
        return await insert_with_slug(
            self.session, self.add, row, slug=slug, explicit=explicit, index=SLUG_INDEX
        )
