"""GET /v4/changes: the company's change feed (an extension; meetergo has none)."""

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from slotwise.auth.access import access
from slotwise.changes import schemas as s
from slotwise.changes.service import ChangeService, provide_change_service


class ChangeController(Controller):
    path = "/v4/changes"
    tags = ["changes"]
    opt = access(company=True, admin=True)
    dependencies = {"changes": Provide(provide_change_service)}

    @get("/")
    async def list_changes(
        self,
        *,
        changes: NamedDependency[ChangeService],
        since: Annotated[
            str | None,
            QueryParameter(
                max_length=100,
                description="The `nextCursor` of the previous answer; none: from the oldest kept",
            ),
        ] = None,
        types: Annotated[
            str | None,
            QueryParameter(
                max_length=100,
                description="Comma-separated: appointment, meetingType, user, webhook (all)",
            ),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> s.ChangePage:
        """Every create, update and delete of the company's appointments, meeting types, users
        and webhooks after `since`, oldest first; deletions are tombstones. A poller that
        passes each answer's `nextCursor` back sees every change exactly once, however writes
        interleave. Owners, admins and platform keys; tokens see the types their scopes read."""
        return await changes.page(since, types, limit)
