"""The verified credential's own row, scoped to its company like every tenant query."""

import uuid
from datetime import datetime

from sqlalchemy import update

from slotwise.db.session import STANDALONE_WRITE
from slotwise.db.tenancy import TenantRepository
from slotwise.models import Credential


class CredentialUseRepository(TenantRepository[Credential]):
    """The verified credential's own row, to record when it was last used."""

    model = Credential

    async def touch(self, credential_id: uuid.UUID, now: datetime) -> None:
        """Record use: one statement that stands alone, so a reading request may send it."""
        stmt = (
            update(Credential)
            .where(self._scope, Credential.id == credential_id)
            .values(last_used_at=now)
            .execution_options(**{STANDALONE_WRITE: True})
        )
        await self.session.execute(stmt)
