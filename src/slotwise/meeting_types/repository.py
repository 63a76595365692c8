"""Meeting type queries, scoped to one company; soft-deleted types are never returned (but
to the handover of a deleted host, which moves them too).

Also the hosts of meeting types: users as the scheduling packages below `users` see them.
"""

import uuid
from collections.abc import Iterable

from slotwise.db.locks import lock
from slotwise.db.settled import UpdatedWindow
from slotwise.db.slug_insert import insert_with_slug
from slotwise.db.tenancy import TenantRepository
from slotwise.models import MeetingType, User

SLUG_INDEX = "uq_meeting_type_slug_per_user"


class MeetingTypeRepository(TenantRepository[MeetingType]):
    model = MeetingType
    not_found_message = "Meeting type not found"

    async def of_user(
        self,
        user_id: uuid.UUID,
        *,
        offset: int = 0,
        limit: int | None = None,
        updated: UpdatedWindow | None = None,
    ) -> list[MeetingType]:
        """The user's live meeting types, oldest first (oldest change first when polling)."""
        where = [MeetingType.user_id == user_id, MeetingType.deleted_at.is_(None)]
        order = [MeetingType.created_at, MeetingType.id]
        if updated is not None:
            where += updated.where(MeetingType)
            order = [MeetingType.updated_at, MeetingType.id]
        return await self.list(*where, order_by=order, offset=offset, limit=limit)

    async def count_of_user(self, user_id: uuid.UUID) -> int:
        """Live meeting types of the user (the ones the cap counts and the list shows)."""
        return await self.count(MeetingType.user_id == user_id, MeetingType.deleted_at.is_(None))

    async def lock_of_user(self, user_id: uuid.UUID) -> None:
        """Serialise meeting type creation per host (the cap is counted under it)."""
        await lock(self.session, f"meeting_types_of:{user_id}")

    async def every_of_user(self, user_id: uuid.UUID) -> list[MeetingType]:
        """Live and deleted types alike: a host handing over keeps no type that an appointment
        still names."""
        return await self.list(MeetingType.user_id == user_id, order_by=[MeetingType.id])

    async def owned(
        self, meeting_type_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
    ) -> MeetingType:
        return await self.get_or_404(
            meeting_type_id,
            MeetingType.user_id == user_id,
            MeetingType.deleted_at.is_(None),
            for_update=for_update,
        )

    async def insert(self, row: MeetingType, *, slug: str, explicit: bool) -> MeetingType:
        """Slugs are unique per host among live meeting types (see slotwise.db.slug_insert)."""
        return await insert_with_slug(
            self.session, self.add, row, slug=slug, explicit=explicit, index=SLUG_INDEX
        )


class HostRepository(TenantRepository[User]):
    """Users as hosts, for packages that `users` itself builds on."""

    model = User
    not_found_message = "User not found"

    async def live(self, user_id: uuid.UUID) -> User:
        """A user who can still take meeting types and bookings (a deleted one is a 404)."""
        return await self.get_or_404(user_id, User.deleted_at.is_(None))

    async def live_now(self, user_id: uuid.UUID) -> User | None:
        """The user if there and not deleted, as committed now (read under the host's lock,
        this settles a booking racing the host's deletion): a copy the session holds is
        refreshed. While the caller holds the row, later reads of it in the request send no
        query (`TenantRepository.get`)."""
        stmt = self.select(User.id == user_id).execution_options(populate_existing=True)
        user = (await self.session.scalars(stmt)).one_or_none()
        return user if user is not None and user.deleted_at is None else None

    async def by_ids(self, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, User]:
        """Hosts as appointments name them, deleted users too (their history stays readable)."""
        ids = set(user_ids)
        if not ids:
            return {}
        return {user.id: user for user in await self.list(User.id.in_(ids))}
