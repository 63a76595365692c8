"""One-time link queries, scoped to one company."""

import uuid

from sqlalchemy import func, select, update

from slotwise.db.tenancy import TenantRepository
from slotwise.models import OneTimeLink


class OneTimeLinkRepository(TenantRepository[OneTimeLink]):
    model = OneTimeLink
    not_found_message = "One-time link not found"

    async def consume(self, link_id: uuid.UUID) -> bool:
        """Mark the link used when it is still open. The row lock this takes holds until
        commit: a concurrent booker waits, then finds the link used (and changes nothing)."""
        stmt = (
            update(OneTimeLink)
            .where(
                self._scope,
                OneTimeLink.id == link_id,
                OneTimeLink.used_at.is_(None),
                OneTimeLink.expires_at > func.now(),
            )
            .values(used_at=func.now())
            .returning(OneTimeLink.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def is_used(self, link_id: uuid.UUID) -> bool:
        """Whether the link is used as committed now (not as the session first read it)."""
        stmt = select(OneTimeLink.used_at).where(self._scope, OneTimeLink.id == link_id)
        return (await self.session.scalar(stmt)) is not None

    async def record_appointment(self, link_id: uuid.UUID, appointment_id: uuid.UUID) -> None:
        await self.update_values(link_id, appointment_id=appointment_id)
