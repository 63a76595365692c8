"""User queries, scoped to one company."""

import uuid

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert

from slotwise.db.slug_insert import insert_with_slug
from slotwise.db.tenancy import TenantRepository
from slotwise.models import PersonalPage, User, UserSlug, uuid7

#: the constraint that keeps a live slug unique platform-wide
SLUG_TAKEN = "pk_user_slug"


class UserRepository(TenantRepository[User]):
    """The company's users; a deleted user is not one of them (404, never listed)."""

    model = User
    not_found_message = "User not found"

    row_filter = (User.deleted_at.is_(None),)

    async def locked(self, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, User]:
        """The users among `user_ids`, locked until commit in id order (two deletions that
        name each other as target take turns instead of deadlocking). `FOR NO KEY UPDATE`
        leaves a booking free to reference the row meanwhile: the host's booking lock, not
        this one, orders bookings against a deletion."""
        stmt = self.select(User.id.in_(user_ids)).order_by(User.id).with_for_update(key_share=True)
        return {user.id: user for user in (await self.session.scalars(stmt)).all()}

    async def insert(self, user: User, *, slug: str, explicit: bool) -> User:
        """Among users not deleted, the slug is unique platform-wide (it is the booking URL)
        and the email within the company, decided by `user_slug`'s key and the unique index
        on emails: an explicit slug that is taken, or an email the company already has, is a
        409."""
        user.id = uuid7()  # made here, not at the insert: the slug's row names the user

        def add(row: User) -> None:
            self.add(row)
            self.session.add(UserSlug(slug=row.slug, company_id=self.company_id, user_id=row.id))

        return await insert_with_slug(
            self.session, add, user, slug=slug, explicit=explicit, index=SLUG_TAKEN
        )

    async def claim_slug(self, user_id: uuid.UUID, slug: str) -> None:
        """`slug` becomes the live user's booking-URL slug; one taken fails at the statement
        (`pk_user_slug` → 409)."""
        stmt = insert(UserSlug).values(slug=slug, company_id=self.company_id, user_id=user_id)
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=["user_id"], set_={"slug": slug})
        )

    async def release_slug(self, user_id: uuid.UUID) -> None:
        """The deleted user's slug is free for a new user."""
        await self.session.execute(
            delete(UserSlug).where(
                UserSlug.company_id == self.company_id, UserSlug.user_id == user_id
            )
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
