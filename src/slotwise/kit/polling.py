"""The query parameters of a list polled by update time: `sortBy=updatedAt`, `updatedSince`
and `cursor` (the previous answer's `nextCursor`); `db.settled` reads them."""

from dataclasses import dataclass
from typing import Annotated, Literal, TypeVar

from litestar import Response
from litestar.datastructures import ResponseHeader
from litestar.openapi.spec.enums import OpenAPIFormat
from litestar.params import QueryParameter

T = TypeVar("T")

NEXT_CURSOR = "X-Next-Cursor"

UpdatedSince = Annotated[
    str | None,
    QueryParameter(
        name="updatedSince",
        description="With sortBy=updatedAt: changed at or after (RFC 3339)",
        format=OpenAPIFormat.DATE_TIME,
        max_length=40,
    ),
]
PollSort = Annotated[
    Literal["updatedAt"] | None,
    QueryParameter(name="sortBy", description="updatedAt: oldest change first, for polling"),
]
PollCursor = Annotated[
    str | None,
    QueryParameter(
        description="With sortBy=updatedAt: the previous answer's nextCursor", max_length=100
    ),
]
NEXT_CURSOR_HEADER = ResponseHeader(
    name=NEXT_CURSOR,
    description="With sortBy=updatedAt: pass as `cursor` to get the items changed after these",
    documentation_only=True,
    required=False,
)


@dataclass(frozen=True)
class Poll:
    """A list's polling parameters as sent (`db.settled.polling_window` checks them)."""

    sort_by: str | None = None
    since: str | None = None
    cursor: str | None = None


NO_POLL = Poll()


def with_next_cursor(response: Response[T], cursor: str | None) -> Response[T]:
    """A bare-array list's next cursor goes in a header (its body has no room for one)."""
    if cursor is not None:
        response.headers[NEXT_CURSOR] = cursor
    return response
