"""/v4/meeting-type routes: the acting user's meeting types."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, MediaType, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from slotwise.auth.access import access
from slotwise.kit.pagination import TOTAL_COUNT_HEADER, OptionalPage, PageSize, counted
from slotwise.kit.polling import (
    NEXT_CURSOR_HEADER,
    Poll,
    PollCursor,
    PollSort,
    UpdatedSince,
    with_next_cursor,
)
from slotwise.links.schemas import OneTimeLinkCreate, OneTimeLinkCreated
from slotwise.meeting_types import schemas as s
from slotwise.meeting_types.service import MeetingTypeService, provide_meeting_type_service
from slotwise.web.idempotency import Idempotency, provide_idempotency


class MeetingTypeController(Controller):
    path = "/v4/meeting-type"
    tags = ["meeting-types"]
    opt = access(pat_scope="scheduling")
    dependencies = {
        "meeting_types": Provide(provide_meeting_type_service),
        "idempotency": Provide(provide_idempotency),
    }

    @get("/", response_headers=[TOTAL_COUNT_HEADER, NEXT_CURSOR_HEADER])
    async def list_meeting_types(
        self,
        *,
        meeting_types: NamedDependency[MeetingTypeService],
        page: OptionalPage = None,
        page_size: PageSize = None,
        sort_by: PollSort = None,
        updated_since: UpdatedSince = None,
        cursor: PollCursor = None,
    ) -> Response[list[s.MeetingType]]:
        """List the acting user's meeting types, oldest first (deleted ones left out): all of
        them, or one page when `page` or `pageSize` is sent; X-Total-Count has the total.
        With `sortBy=updatedAt`, oldest change first, polled with `updatedSince` and the
        `X-Next-Cursor` of each answer as `cursor` (deletions: `GET /v4/changes`)."""
        rows, total, next_cursor = await meeting_types.list_meeting_types(
            page, page_size, Poll(sort_by, updated_since, cursor)
        )
        return with_next_cursor(counted(rows, total), next_cursor)

    @post("/", status_code=201)
    async def create_meeting_type(
        self,
        data: JSONBody[s.MeetingTypeCreate],
        meeting_types: NamedDependency[MeetingTypeService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.CreatedMeetingType]:
        """Create a meeting type for the acting user (or `userId`, for admins); unknown fields
        are a 400 naming them. `options.createOneTimeLink` adds a one-time booking link
        (`oneTimeLink`, its token shown only here), made in the same transaction."""
        return await idempotency.run(
            lambda: meeting_types.create(data), status_code=201, secret=data.wants_link
        )

    @get("/{meeting_type_id:uuid}")
    async def get_meeting_type(
        self,
        meeting_type_id: FromPath[UUID],
        meeting_types: NamedDependency[MeetingTypeService],
    ) -> s.MeetingType:
        """Return one of the acting user's meeting types."""
        return await meeting_types.get(meeting_type_id)

    @patch("/{meeting_type_id:uuid}")
    async def update_meeting_type(
        self,
        meeting_type_id: FromPath[UUID],
        data: JSONBody[s.MeetingTypeUpdate],
        meeting_types: NamedDependency[MeetingTypeService],
    ) -> s.MeetingType:
        """Change a meeting type; `meetingInfo` and `meetingOptions` may be partial."""
        return await meeting_types.update(meeting_type_id, data)

    @delete("/{meeting_type_id:uuid}", status_code=200, media_type=MediaType.TEXT)
    async def delete_meeting_type(
        self,
        meeting_type_id: FromPath[UUID],
        meeting_types: NamedDependency[MeetingTypeService],
        delete_availability: Annotated[bool, QueryParameter(name="deleteAvailability")] = False,
    ) -> None:
        """Soft-delete a meeting type (200, empty body); optionally its availability too."""
        await meeting_types.delete(meeting_type_id, delete_availability=delete_availability)


class OneTimeLinkController(Controller):
    path = "/v4/one-time-booking-link"
    tags = ["meeting-types"]
    opt = access(pat_scope="scheduling")
    dependencies = {"meeting_types": Provide(provide_meeting_type_service)}

    @post("/create/{meeting_type_id:uuid}", status_code=201)
    async def create_one_time_link(
        self,
        meeting_type_id: FromPath[UUID],
        meeting_types: NamedDependency[MeetingTypeService],
        data: JSONBody[OneTimeLinkCreate | None] = None,
    ) -> OneTimeLinkCreated:
        """A single-use booking link to one of the acting user's meeting types: its page books
        one slot, then answers 410; unused, it expires after `expiresInDays` (default 30).
        The body is optional; the token is shown only here."""
        return await meeting_types.create_one_time_link(meeting_type_id, data)
