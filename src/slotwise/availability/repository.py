"""Availability and exception queries, scoped to one company."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert

from slotwise.db.locks import lock
from slotwise.db.tenancy import TenantRepository
from slotwise.models import Availability, AvailabilityException, MeetingType, uuid7


class AvailabilityRepository(TenantRepository[Availability]):
    """Live (not deleted) availabilities; every lookup names the owning user."""

    model = Availability
    not_found_message = "Availability not found"

    async def of_user(self, user_id: uuid.UUID) -> list[Availability]:
        return await self.list(
            Availability.user_id == user_id,
            Availability.deleted_at.is_(None),
            order_by=[Availability.created_at, Availability.id],
        )

    async def owned(
        self, availability_id: uuid.UUID, user_id: uuid.UUID, *, for_update: bool = False
    ) -> Availability:
        return await self.get_or_404(
            availability_id,
            Availability.user_id == user_id,
            Availability.deleted_at.is_(None),
            for_update=for_update,
        )

    async def lock_of_user(self, user_id: uuid.UUID) -> list[Availability]:
        """The user's live availabilities, locked: deletions of one user's rows take turns."""
        stmt = (
            self.select(Availability.user_id == user_id, Availability.deleted_at.is_(None))
            .order_by(Availability.created_at, Availability.id)
            .with_for_update()
        )
        return list((await self.session.scalars(stmt)).all())

    async def default_of(self, user_id: uuid.UUID) -> Availability | None:
        found = await self.list(
            Availability.user_id == user_id,
            Availability.deleted_at.is_(None),
            Availability.is_default.is_(True),
        )
        return found[0] if found else None

    async def clear_default(self, user_id: uuid.UUID) -> None:
        await self.session.execute(
            update(Availability)
            .where(self._scope, Availability.user_id == user_id, Availability.is_default)
            .values(is_default=False)
        )


class ExceptionRepository(TenantRepository[AvailabilityException]):
    model = AvailabilityException
    not_found_message = "Availability exception not found"

    async def of(self, availability_ids: Sequence[uuid.UUID]) -> list[AvailabilityException]:
        if not availability_ids:
            return []
        return await self.list(
            AvailabilityException.availability_id.in_(availability_ids),
            order_by=[AvailabilityException.start, AvailabilityException.id],
        )

    async def lock_of(self, availability_id: uuid.UUID) -> None:
        """Serialise adding exceptions to one availability (the cap is counted under it)."""
        await lock(self.session, f"availability_exceptions_of:{availability_id}")

    async def count_of(self, availability_id: uuid.UUID) -> int:
        return await self.count(AvailabilityException.availability_id == availability_id)

    async def count_imported(self, availability_id: uuid.UUID, keys: Sequence[str]) -> int:
        """How many of the holidays `keys` the availability has already."""
        return await self.count(
            AvailabilityException.availability_id == availability_id,
            AvailabilityException.holiday_key.in_(keys),
        )

    async def owned(
        self, exception_id: uuid.UUID, availability_id: uuid.UUID
    ) -> AvailabilityException:
        return await self.get_or_404(
            exception_id, AvailabilityException.availability_id == availability_id
        )

    async def add_holidays(
        self, availability_id: uuid.UUID, rows: Sequence[tuple[str, datetime, datetime, str]]
    ) -> list[AvailabilityException]:
        """Insert `(holiday_key, start, end, title)` rows not imported yet; return all of them."""
        if not rows:
            return []
        values: list[dict[str, Any]] = [
            {
                "id": uuid7(),
                "company_id": self.company_id,
                "availability_id": availability_id,
                "available": False,
                "start": start,
                "end": end,
                "title": title,
                "holiday_key": key,
            }
            for key, start, end, title in rows
        ]
        stmt = insert(AvailabilityException).values(values)
        await self.session.execute(
            stmt.on_conflict_do_nothing(
                index_elements=["company_id", "availability_id", "holiday_key"]
            )
        )
        return await self.list(
            AvailabilityException.availability_id == availability_id,
            AvailabilityException.holiday_key.in_([key for key, *_ in rows]),
            order_by=[AvailabilityException.start, AvailabilityException.id],
        )


class MeetingTypeUseRepository(TenantRepository[MeetingType]):
    """Which meeting types book against an availability (deleting one must know)."""

    model = MeetingType

    async def using(
        self, availability_id: uuid.UUID, *, besides: uuid.UUID | None = None
    ) -> list[MeetingType]:
        """Live meeting types that book against an availability (`besides` left out)."""
        where = [MeetingType.availability_id == availability_id, MeetingType.deleted_at.is_(None)]
        if besides is not None:
            where.append(MeetingType.id != besides)
        return await self.list(*where, order_by=[MeetingType.created_at, MeetingType.id])
