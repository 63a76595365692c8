"""User queries, scoped to one company."""

from slotwise.models import User
from slotwise.tenancy import TenantRepository


class UserRepository(TenantRepository[User]):
    model = User
    not_found_message = "User not found"
