"""Queue rules: who may change a meeting type's queue, membership, priorities, capacities and
groups. Reads are open to everyone in the company (a queue names colleagues only); changes
are for the meeting type's owner, admins and platform keys."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.kit.errors import FieldError, Forbidden, NotFound, ValidationFailed
from slotwise.meeting_types.repository import HostRepository, MeetingTypeRepository
from slotwise.models import MeetingType, Queue, QueueMember, QueueType, QueueUserGroup, uuid7
from slotwise.queues import schemas as s
from slotwise.queues.repository import GroupRepository, QueueRepository
from slotwise.queues.views import group_view, next_host_view, queue_view
from slotwise.slots.cache import SLOT_CACHE
from slotwise.slots.service import SlotService
from slotwise.slots.team import Method


class QueueService:
    def __init__(self, session: AsyncSession, principal: Principal, slots: SlotService) -> None:
        self.session = session
        self.principal = principal
        self.company_id = principal.company_id
        self.queues = QueueRepository(session, principal.company_id)
        self.groups = GroupRepository(session, principal.company_id)
        self.meeting_types = MeetingTypeRepository(session, principal.company_id)
        self.hosts = HostRepository(session, principal.company_id)
        self.slots = slots

    async def list_of_workspace(self, workspace_id: uuid.UUID) -> list[s.Queue]:
        """The workspace is the company: another id is a 404."""
        if workspace_id != self.company_id:
            raise NotFound("Workspace not found")
        return await self._views(await self.queues.of_company())

    async def get(self, queue_id: uuid.UUID) -> s.Queue:
        return (await self._views([await self._live(queue_id)]))[0]

    async def next_hosts(self, queue_id: uuid.UUID) -> s.NextHosts:
        """The eligible members and groups in booking order (capacity, distribution and
        priorities applied; whether each is free depends on the slot)."""
        queue = await self._live(queue_id)
        rules = await self.slots.rules(queue.meeting_type_id)
        team = await self.slots.load_team(rules, datetime.now(UTC))
        return s.NextHosts(
            next_hosts=[next_host_view(unit, team.standing) for unit in team.order()]
        )

    async def update_of_meeting_type(
        self, meeting_type_id: uuid.UUID, data: s.QueueUpdate
    ) -> s.Queue:
        meeting_type = await self.meeting_types.get_or_404(
            meeting_type_id, MeetingType.deleted_at.is_(None), for_update=True
        )
        self._may_change(meeting_type)
        queue = await self._queue_of(meeting_type)
        if not isinstance(data.user_id, msgspec.UnsetType):
            await self._toggle(queue, data.user_id)
        members = {m.user_id: m for m, _ in await self.queues.members([queue.id])}
        errors = [
            *_apply(members, data.user_capacities, "userCapacities", "capacity"),
            *_apply(members, data.user_priorities, "userPriorities", "priority"),
        ]
        if errors:
            raise ValidationFailed(errors=errors)
        _settings(queue, meeting_type, data)
        await self.session.flush()
        await self.session.refresh(queue, ["updated_at"])
        return await self.get(queue.id)

    async def create_group(self, data: s.GroupCreate) -> s.QueueGroup:
        queue = await self._live(data.queue_id)
        await self._may_change_queue(queue)
        group = self.groups.add(
            QueueUserGroup(
                id=uuid7(),
                queue_id=queue.id,
                name=data.name,
                capacity=data.capacity,
                user_ids=[],
                main_group_host_id=None,
            )
        )
        await self.session.flush()
        await self.session.refresh(group)
        return await self._group_view(group)

    async def update_group(self, group_id: uuid.UUID, data: s.GroupUpdate) -> s.QueueGroup:
        group = await self.groups.get_or_404(group_id, for_update=True)
        queue = await self._live(group.queue_id)
        await self._may_change_queue(queue)
        if not isinstance(data.name, msgspec.UnsetType):
            group.name = data.name
        if not isinstance(data.capacity, msgspec.UnsetType):
            group.capacity = data.capacity
        if not isinstance(data.user_id, msgspec.UnsetType):
            if data.user_id in group.user_ids:
                group.user_ids = [u for u in group.user_ids if u != data.user_id]
            elif await self.queues.member(queue.id, data.user_id) is None:
                raise ValidationFailed.field("userId", "Not a member of the group's queue")
            else:
                group.user_ids = [*group.user_ids, data.user_id]
        if not isinstance(data.main_group_host_id, msgspec.UnsetType):
            main = data.main_group_host_id
            if main is not None and main not in group.user_ids:
                raise ValidationFailed.field("mainGroupHostId", "Not a member of the group")
            group.main_group_host_id = main
        if group.main_group_host_id not in (None, *group.user_ids):
            group.main_group_host_id = None
        await self.session.flush()
        await self.session.refresh(group, ["updated_at"])
        return await self._group_view(group)

    async def _live(self, queue_id: uuid.UUID) -> Queue:
        """A queue of a live meeting type (in a body too, a missing one is a 404, as a
        booking's meeting type is)."""
        queue = await self.queues.get(queue_id)
        live = queue is not None and await self.meeting_types.get(
            queue.meeting_type_id, MeetingType.deleted_at.is_(None)
        )
        if queue is None or not live:
            raise NotFound("Queue not found")
        return queue

    def _may_change(self, meeting_type: MeetingType) -> None:
        if not (self.principal.is_admin or meeting_type.user_id == self.principal.user_id):
            raise Forbidden("Only the meeting type's owner and admins change its queue")

    async def _may_change_queue(self, queue: Queue) -> None:
        self._may_change(await self.meeting_types.get_or_404(queue.meeting_type_id))

    async def _queue_of(self, meeting_type: MeetingType) -> Queue:
        """The meeting type's queue; the first change creates it and makes the type a team
        type."""
        if meeting_type.queue_id is not None:
            return await self.queues.get_or_404(meeting_type.queue_id, for_update=True)
        queue = self.queues.add(
            Queue(
                id=uuid7(),
                meeting_type_id=meeting_type.id,
                type=QueueType.SIMPLE_ROUND_ROBIN,
                max_lead_threshold=None,
                distribution_period="month",
                prioritize_near_term=False,
            )
        )
        await self.session.flush()
        meeting_type.queue_id = queue.id
        meeting_type.calculation_method = meeting_type.calculation_method or Method.ANYONE
        return queue

    async def _toggle(self, queue: Queue, user_id: uuid.UUID) -> None:
        member = await self.queues.member(queue.id, user_id)
        if member is not None:
            await self.queues.leave_groups(queue.id, user_id)
            await self.queues.remove_member(member)
        elif await self.hosts.live_now(user_id) is None:
            raise ValidationFailed.field("userId", "User not found")
        else:
            self.queues.add_member(queue.id, user_id)
        await self.session.flush()

    async def _views(self, queues: list[Queue]) -> list[s.Queue]:
        ids = [queue.id for queue in queues]
        members = await self.queues.members(ids)
        groups = await self.queues.groups(ids)
        methods = {
            row.id: row.calculation_method
            for row in await self.meeting_types.list(
                MeetingType.id.in_([queue.meeting_type_id for queue in queues])
            )
        }
        return [
            queue_view(queue, methods.get(queue.meeting_type_id), members, groups)
            for queue in queues
        ]

    async def _group_view(self, group: QueueUserGroup) -> s.QueueGroup:
        members = await self.queues.members([group.queue_id])
        return group_view(group, members)


def _apply(
    members: dict[uuid.UUID, QueueMember],
    changes: Sequence[s.UserCapacity | s.UserPriority] | msgspec.UnsetType,
    field: str,
    attribute: str,
) -> list[FieldError]:
    """Set each listed member's capacity or priority; a user who is no member is named."""
    if isinstance(changes, msgspec.UnsetType):
        return []
    errors: list[FieldError] = []
    for index, change in enumerate(changes):
        member = members.get(change.user_id)
        if member is None:
            errors.append(FieldError(f"{field}[{index}].userId", "Not a member of the queue"))
        else:
            setattr(member, attribute, getattr(change, attribute))
    return errors


def _settings(queue: Queue, meeting_type: MeetingType, data: s.QueueUpdate) -> None:
    if not isinstance(data.type, msgspec.UnsetType):
        queue.type = data.type
    if not isinstance(data.max_lead_threshold, msgspec.UnsetType):
        queue.max_lead_threshold = data.max_lead_threshold
    if not isinstance(data.distribution_period, msgspec.UnsetType):
        queue.distribution_period = data.distribution_period
    if not isinstance(data.prioritize_near_term_availability, msgspec.UnsetType):
        queue.prioritize_near_term = data.prioritize_near_term_availability
    if not isinstance(data.calculation_method, msgspec.UnsetType):
        meeting_type.calculation_method = data.calculation_method


async def provide_queue_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal], state: State
) -> QueueService:
    return QueueService(db, principal, SlotService(db, principal.company_id, SLOT_CACHE.of(state)))
