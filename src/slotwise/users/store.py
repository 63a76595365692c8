"""Inserting users: platform-wide unique email and slug, decided by the unique indexes."""

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.slug_insert import insert_with_slug
from slotwise.db.tenancy import CompanyId
from slotwise.models import User


async def insert_user(
    session: AsyncSession, company_id: CompanyId, user: User, *, slug: str, slug_explicit: bool
) -> User:
    """An explicit slug that is taken, or an email already used anywhere, is a 409."""
    user.company_id = company_id
    return await insert_with_slug(
        session, session.add, user, slug=slug, explicit=slug_explicit, index="uq_user_slug"
    )
