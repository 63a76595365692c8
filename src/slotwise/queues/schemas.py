"""Wire shapes of meetergo's queue routes (`/v4/queue`, `/v4/queue-user-group`)."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from slotwise.kit.wire import InputStruct, WireStruct

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType

QueueTypeName = Literal["simpleRoundRobin", "advancedRoundRobin", "equalDistribution"]
PeriodName = Literal["day", "week", "month"]
MethodName = Literal["anyone", "everyone"]
Priority = Annotated[int, msgspec.Meta(ge=1, le=3, description="1-3; higher is booked first")]
Capacity = Annotated[
    int, msgspec.Meta(ge=1, le=10000, description="Most bookings in a distribution period")
]
GroupName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class UserCapacity(InputStruct):
    user_id: uuid.UUID
    #: null: no cap
    capacity: Capacity | None


class UserPriority(InputStruct):
    user_id: uuid.UUID
    priority: Priority


class QueueUpdate(InputStruct):
    """Changes to a meeting type's queue; the first change makes the type a team type (its
    queue starts empty, `simpleRoundRobin`, `anyone`, distributed per month)."""

    #: adds the user to the queue, or removes them when they are a member
    user_id: uuid.UUID | Unset = UNSET
    user_capacities: Annotated[list[UserCapacity], msgspec.Meta(max_length=100)] | Unset = UNSET
    user_priorities: Annotated[list[UserPriority], msgspec.Meta(max_length=100)] | Unset = UNSET
    type: QueueTypeName | Unset = UNSET
    #: how many bookings a host may be ahead of the one with the fewest; null: no limit
    #: (equal distribution: 0)
    max_lead_threshold: Annotated[int, msgspec.Meta(ge=1, le=1000)] | Unset | None = UNSET
    distribution_period: PeriodName | Unset = UNSET
    #: stored and returned; slots are offered in time order either way
    prioritize_near_term_availability: bool | Unset = UNSET
    #: `anyone`: a slot needs one free host; `everyone` (collective): all of them
    calculation_method: MethodName | Unset = UNSET


class QueueMemberView(WireStruct):
    user_id: uuid.UUID
    given_name: str
    family_name: str
    priority: int
    capacity: int | None


class QueueGroup(WireStruct):
    id: uuid.UUID
    queue_id: uuid.UUID
    name: str
    capacity: int
    users: list[QueueMemberView]
    user_ids: list[uuid.UUID]
    main_group_host_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class Queue(WireStruct):
    id: uuid.UUID
    meeting_type_id: uuid.UUID
    workspace_id: uuid.UUID
    type: QueueTypeName
    calculation_method: MethodName
    max_lead_threshold: int | None
    distribution_period: PeriodName
    prioritize_near_term_availability: bool
    users: list[QueueMemberView]
    user_ids: list[uuid.UUID]
    groups: list[QueueGroup]
    created_at: datetime
    updated_at: datetime


class NextHost(WireStruct):
    """Who the next booking goes to if they are free: a member, or a group hosting together."""

    user_ids: list[uuid.UUID]
    priority: int
    capacity: int | None
    bookings_in_period: int
    last_assigned_at: datetime | None
    group_id: uuid.UUID | None = None


class NextHosts(WireStruct):
    #: the eligible hosts in the order a booking is offered to them
    next_hosts: list[NextHost]


class GroupCreate(InputStruct):
    queue_id: uuid.UUID
    name: GroupName
    capacity: Annotated[int, msgspec.Meta(ge=1, le=10000)] = 1


class GroupUpdate(InputStruct):
    name: GroupName | Unset = UNSET
    capacity: Annotated[int, msgspec.Meta(ge=1, le=10000)] | Unset = UNSET
    #: adds the queue member to the group, or removes them when they are in it
    user_id: uuid.UUID | Unset = UNSET
    #: the member who leads the group's bookings (null: the first by id)
    main_group_host_id: uuid.UUID | Unset | None = UNSET
