"""Operator commands on users (run from the CLI, outside any request)."""

import asyncio
import uuid

from sqlalchemy import func

from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.db.tenancy import CompanyId
from slotwise.models import Role, User
from slotwise.settings import Settings, SettingsError
from slotwise.users.repository import UserRepository


def set_role_command(
    settings: Settings, company_id: str, *, email: str, role: str
) -> dict[str, str]:
    """Give a user of the company a role. `owner` hands the company over: the current owner
    becomes an admin in the same transaction (a company has one owner)."""
    try:
        company = CompanyId(uuid.UUID(company_id))
    except ValueError as exc:
        raise SettingsError("COMPANY_ID: not a UUID") from exc
    try:
        wanted = Role(role)
    except ValueError as exc:
        raise SettingsError("--role: one of owner, admin, member") from exc
    return asyncio.run(_set_role(settings, company, email.strip().lower(), wanted))


async def _set_role(
    settings: Settings, company: CompanyId, email: str, role: Role
) -> dict[str, str]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            users = UserRepository(session, company)
            user = await users.first(func.lower(User.email) == email)
            if user is None:
                raise SettingsError("--email: no such user in this company")
            if user.role is Role.OWNER and role is not Role.OWNER:
                raise SettingsError("--role: make another user the owner to hand the company over")
            if role is Role.OWNER and user.role is not Role.OWNER:
                for owner in await users.list(User.role == Role.OWNER):
                    owner.role = Role.ADMIN
                await session.flush()  # one owner per company: the old one steps down first
            user.role = role
    finally:
        await engine.dispose()
    return {"companyId": str(company), "userId": str(user.id), "role": role.value}
