"""Inserting users: platform-wide unique email and slug, decided by the unique indexes."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.errors import CONSTRAINT_ERRORS, Conflict, constraint_name
from slotwise.models import User
from slotwise.tenancy import CompanyId
from slotwise.users.slugs import with_suffix

SLUG_ATTEMPTS = 5


async def insert_user(
    session: AsyncSession, company_id: CompanyId, user: User, *, slug: str, slug_explicit: bool
) -> User:
    """Insert under a savepoint; a derived slug that is taken gets a short suffix and retries.

    An explicit slug that is taken, or an email already used anywhere, is a 409.
    """
    user.company_id = company_id
    candidate = slug
    for _ in range(SLUG_ATTEMPTS):
        user.slug = candidate
        try:
            async with session.begin_nested():
                session.add(user)
                await session.flush()
        except IntegrityError as exc:
            name = constraint_name(exc)
            if name == "uq_user_slug" and not slug_explicit:
                candidate = with_suffix(slug)
                continue
            known = CONSTRAINT_ERRORS.get(name or "")
            if known is None:
                raise
            raise known[0](known[1]) from exc
        return user
    raise Conflict("Slug already exists")
