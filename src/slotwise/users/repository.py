"""User queries, scoped to one company."""

from slotwise.db.slug_insert import insert_with_slug
from slotwise.db.tenancy import TenantRepository
from slotwise.models import User


class UserRepository(TenantRepository[User]):
    model = User
    not_found_message = "User not found"

    async def insert(self, user: User, *, slug: str, explicit: bool) -> User:
        """Email and slug are unique platform-wide, decided by the unique indexes: an explicit
        slug that is taken, or an email already used anywhere, is a 409."""
        return await insert_with_slug(
            self.session, self.add, user, slug=slug, explicit=explicit, index="uq_user_slug"
        )
