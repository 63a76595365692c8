"""User queries, scoped to one company."""

from slotwise.db.tenancy import TenantRepository
from slotwise.models import User


class UserRepository(TenantRepository[User]):
    model = User
    not_found_message = "User not found"
