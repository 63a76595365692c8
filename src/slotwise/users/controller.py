"""/v4/user routes."""

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth import access
from slotwise.principal import Principal
from slotwise.users import schemas as s
from slotwise.users.service import UserService


async def provide_user_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> UserService:
    return UserService(db, principal)


class UserController(Controller):
    path = "/v4/user"
    tags = ["users"]
    dependencies = {"users": Provide(provide_user_service)}

    @get("/me", opt=access(company=True))
    async def get_current_user(self, users: NamedDependency[UserService]) -> s.User:
        """The acting user (the company owner for a platform key without the acting-user header)."""
        return await users.me()
