"""Insert a row whose slug must be unique: a derived slug that is taken gets a short suffix and
the insert is retried; an explicit slug that is taken is a 409. The unique index decides, so two
concurrent inserts can never both take one slug."""

from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.kit.errors import CONSTRAINT_ERRORS, Conflict, constraint_name
from slotwise.kit.slugs import with_suffix

ATTEMPTS = 5
TAKEN = "Slug already exists"


class Slugged(Protocol):
    slug: str


R = TypeVar("R", bound=Slugged)


async def insert_with_slug(
    session: AsyncSession,
    add: Callable[[R], object],
    row: R,
    *,
    slug: str,
    explicit: bool,
    index: str,
) -> R:
    """`add(row)` and flush under a savepoint; other known constraints map to their errors."""
    candidate = slug
    for _ in range(ATTEMPTS):
        row.slug = candidate
        try:
            async with session.begin_nested():
                add(row)
                await session.flush()
        except IntegrityError as exc:
            name = constraint_name(exc) or ""
            if name == index and not explicit:
                candidate = with_suffix(slug)
                continue
            if name == index:
                raise Conflict(TAKEN) from exc
            known = CONSTRAINT_ERRORS.get(name)
            if known is None:
                raise
            raise known[0](known[1]) from exc
        return row
    raise Conflict(TAKEN)
