"""Queues, their members and groups, always inside the caller's company."""

import uuid
from collections.abc import Iterable

from sqlalchemy import and_, select

from slotwise.db.tenancy import TenantRepository
from slotwise.models import MeetingType, Queue, QueueMember, QueueUserGroup, User


class QueueRepository(TenantRepository[Queue]):
    model = Queue
    not_found_message = "Queue not found"

    async def of_company(self) -> list[Queue]:
        """The company's queues of live meeting types, oldest first."""
        live = select(MeetingType.id).where(
            MeetingType.company_id == self.company_id, MeetingType.deleted_at.is_(None)
        )
        return await self.list(Queue.meeting_type_id.in_(live), order_by=[Queue.id])

    async def members(self, queue_ids: Iterable[uuid.UUID]) -> list[tuple[QueueMember, User]]:
        """The queues' live members, by user id."""
        stmt = (
            select(QueueMember, User)
            .join(
                User,
                and_(User.company_id == QueueMember.company_id, User.id == QueueMember.user_id),
            )
            .where(
                QueueMember.company_id == self.company_id,
                QueueMember.queue_id.in_(list(queue_ids)),
                User.deleted_at.is_(None),
            )
            .order_by(QueueMember.user_id)
        )
        return [(member, user) for member, user in (await self.session.execute(stmt)).all()]

    async def member(self, queue_id: uuid.UUID, user_id: uuid.UUID) -> QueueMember | None:
        stmt = select(QueueMember).where(
            QueueMember.company_id == self.company_id,
            QueueMember.queue_id == queue_id,
            QueueMember.user_id == user_id,
        )
        return (await self.session.scalars(stmt)).one_or_none()

    def add_member(self, queue_id: uuid.UUID, user_id: uuid.UUID) -> QueueMember:
        member = QueueMember(company_id=self.company_id, queue_id=queue_id, user_id=user_id)
        self.session.add(member)
        return member

    async def remove_member(self, member: QueueMember) -> None:
        await self.session.delete(member)

    async def groups(self, queue_ids: Iterable[uuid.UUID]) -> list[QueueUserGroup]:
        stmt = (
            select(QueueUserGroup)
            .where(
                QueueUserGroup.company_id == self.company_id,
                QueueUserGroup.queue_id.in_(list(queue_ids)),
            )
            .order_by(QueueUserGroup.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def leave_groups(self, queue_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """A member who leaves the queue leaves its groups too."""
        for group in await self.groups([queue_id]):
            if user_id in group.user_ids:
                group.user_ids = [u for u in group.user_ids if u != user_id]
                if group.main_group_host_id == user_id:
                    group.main_group_host_id = None


class GroupRepository(TenantRepository[QueueUserGroup]):
    model = QueueUserGroup
    not_found_message = "Queue user group not found"
