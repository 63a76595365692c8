"""Queue rows → meetergo's wire shapes."""

import uuid
from collections.abc import Mapping, Sequence
from typing import cast

from slotwise.models import Queue, QueueMember, QueueUserGroup, User
from slotwise.queues import schemas as s
from slotwise.slots.team import Standing, Unit


def member_view(member: QueueMember, user: User) -> s.QueueMemberView:
    return s.QueueMemberView(
        user_id=user.id,
        given_name=user.given_name,
        family_name=user.family_name,
        priority=member.priority,
        capacity=member.capacity,
    )


def group_view(group: QueueUserGroup, members: Sequence[tuple[QueueMember, User]]) -> s.QueueGroup:
    """A group with its users that are still live members of the queue."""
    present = {m.user_id: (m, u) for m, u in members if m.queue_id == group.queue_id}
    ids = [user_id for user_id in group.user_ids if user_id in present]
    return s.QueueGroup(
        id=group.id,
        queue_id=group.queue_id,
        name=group.name,
        capacity=group.capacity,
        users=[member_view(*present[user_id]) for user_id in ids],
        user_ids=ids,
        main_group_host_id=group.main_group_host_id,
        created_at=group.created_at,
        updated_at=group.updated_at,
    )


def queue_view(
    queue: Queue,
    method: str | None,
    members: Sequence[tuple[QueueMember, User]],
    groups: Sequence[QueueUserGroup],
) -> s.Queue:
    own = [(m, u) for m, u in members if m.queue_id == queue.id]
    return s.Queue(
        id=queue.id,
        meeting_type_id=queue.meeting_type_id,
        workspace_id=queue.company_id,
        type=cast("s.QueueTypeName", queue.type),
        calculation_method=cast("s.MethodName", method or "anyone"),
        max_lead_threshold=queue.max_lead_threshold,
        distribution_period=cast("s.PeriodName", queue.distribution_period),
        prioritize_near_term_availability=queue.prioritize_near_term,
        users=[member_view(m, u) for m, u in own],
        user_ids=[u.id for _, u in own],
        groups=[group_view(g, own) for g in groups if g.queue_id == queue.id],
        created_at=queue.created_at,
        updated_at=queue.updated_at,
    )


def next_host_view(unit: Unit, standing: Mapping[uuid.UUID, Standing]) -> s.NextHost:
    state = standing.get(unit.key, Standing())
    return s.NextHost(
        user_ids=list(unit.user_ids),
        priority=unit.priority,
        capacity=unit.capacity,
        bookings_in_period=state.bookings,
        last_assigned_at=state.last_assigned,
        group_id=unit.group_id,
    )
