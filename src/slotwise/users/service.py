"""User rules: reading, provisioning, profile changes, deletion."""

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.principal import Principal
from slotwise.users import schemas as s
from slotwise.users.repository import UserRepository


class UserService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.users = UserRepository(session, principal.company_id)

    async def me(self) -> s.User:
        return s.User.of(await self.users.get_or_404(self.principal.user_id))
