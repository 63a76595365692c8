"""User queries, scoped to one company."""

import uuid

from slotwise.db.slug_insert import insert_with_slug
from slotwise.db.tenancy import TenantRepository
from slotwise.models import PersonalPage, User


class UserRepository(TenantRepository[User]):
    model = User
    not_found_message = "User not found"

    async def insert(self, user: User, *, slug: str, explicit: bool) -> User:
        """Email and slug are unique platform-wide, decided by the unique indexes: an explicit
        slug that is taken, or an email already used anywhere, is a 409."""
        return await insert_with_slug(
            self.session, self.add, user, slug=slug, explicit=explicit, index="uq_user_slug"
        )


class PersonalPageRepository(TenantRepository[PersonalPage]):
    model = PersonalPage

    async def of_user(self, user_id: uuid.UUID) -> PersonalPage | None:
        return await self.first(PersonalPage.user_id == user_id)

    async def locked(self, user_id: uuid.UUID) -> PersonalPage:
        """The user's row, created if missing, locked until commit."""
        return await self.locked_one(
            ["company_id", "user_id"],
            PersonalPage.user_id == user_id,
            user_id=user_id,
            use_custom_colors=False,
            show_all_meeting_types=True,
            meeting_type_order=[],
            online_profiles={},
        )
