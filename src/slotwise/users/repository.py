"""User queries, scoped to one company."""

import uuid

from sqlalchemy import ColumnElement, and_

from slotwise.db.slug_insert import insert_with_slug
from slotwise.db.tenancy import TenantRepository
from slotwise.models import PersonalPage, User


class UserRepository(TenantRepository[User]):
    """The company's users; a deleted user is not one of them (404, never listed)."""

    model = User
    not_found_message = "User not found"

    @property
    def _scope(self) -> ColumnElement[bool]:
        return and_(super()._scope, User.deleted_at.is_(None))

    async def locked(self, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, User]:
        """The users among `user_ids`, locked until commit in id order (two deletions that
        name each other as target take turns instead of deadlocking). `FOR NO KEY UPDATE`
        leaves a booking free to reference the row meanwhile: the host's booking lock, not
        this one, orders bookings against a deletion."""
        stmt = self.select(User.id.in_(user_ids)).order_by(User.id).with_for_update(key_share=True)
        return {user.id: user for user in (await self.session.scalars(stmt)).all()}

    async def insert(self, user: User, *, slug: str, explicit: bool) -> User:
        """Among users not deleted, the slug is unique platform-wide (it is the booking URL)
        and the email within the company, decided by the unique indexes: an explicit slug
        that is taken, or an email the company already has, is a 409."""
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
