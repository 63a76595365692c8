"""meetergo's queue routes: `/v4/queue` (a team meeting type's hosts) and
`/v4/queue-user-group` (members who host together)."""

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from slotwise.auth.access import access
from slotwise.queues import schemas as s
from slotwise.queues.service import QueueService, provide_queue_service


class QueueController(Controller):
    path = "/v4/queue"
    tags = ["queues"]
    opt = access(company=True, pat_scope="scheduling")
    dependencies = {"queues": Provide(provide_queue_service)}

    @get("/workspace/{workspace_id:uuid}")
    async def list_queues_of_workspace(
        self, workspace_id: FromPath[UUID], queues: NamedDependency[QueueService]
    ) -> list[s.Queue]:
        """The company's queues (the workspace id is the company id)."""
        return await queues.list_of_workspace(workspace_id)

    @get("/{queue_id:uuid}")
    async def get_queue(
        self, queue_id: FromPath[UUID], queues: NamedDependency[QueueService]
    ) -> s.Queue:
        """A queue with its members (priority, capacity) and groups."""
        return await queues.get(queue_id)

    @get("/{queue_id:uuid}/next")
    async def get_next_hosts(
        self, queue_id: FromPath[UUID], queues: NamedDependency[QueueService]
    ) -> s.NextHosts:
        """Who the next booking goes to, in order, if free at the chosen time: members at
        capacity, and with equal distribution those ahead of the fewest, are left out."""
        return await queues.next_hosts(queue_id)

    @patch("/meeting-type/{meeting_type_id:uuid}")
    async def update_queue_of_meeting_type(
        self,
        meeting_type_id: FromPath[UUID],
        data: JSONBody[s.QueueUpdate],
        queues: NamedDependency[QueueService],
    ) -> s.Queue:
        """Change a meeting type's queue; the first change makes it a team type. `userId`
        adds a user or removes a member; priorities and capacities name members. The owner of
        the meeting type, admins and platform keys only."""
        return await queues.update_of_meeting_type(meeting_type_id, data)


class QueueGroupController(Controller):
    path = "/v4/queue-user-group"
    tags = ["queues"]
    opt = access(company=True, pat_scope="scheduling")
    dependencies = {"queues": Provide(provide_queue_service)}

    @post("/", status_code=201)
    async def create_queue_user_group(
        self, data: JSONBody[s.GroupCreate], queues: NamedDependency[QueueService]
    ) -> s.QueueGroup:
        """A group of a queue's members who host together: it takes a booking only when all
        of them are free. It starts empty; add members with `PATCH`."""
        return await queues.create_group(data)

    @patch("/{group_id:uuid}")
    async def update_queue_user_group(
        self,
        group_id: FromPath[UUID],
        data: JSONBody[s.GroupUpdate],
        queues: NamedDependency[QueueService],
    ) -> s.QueueGroup:
        """Rename, set the capacity or lead host, or toggle a member (`userId`)."""
        return await queues.update_group(group_id, data)
