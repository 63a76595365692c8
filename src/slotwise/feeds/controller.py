"""Calendar feed routes: the user's management on /v4, and the secret URL calendar apps poll."""

from email.utils import format_datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from slotwise.auth.access import access
from slotwise.bookings.ics import MEDIA_TYPE
from slotwise.feeds import schemas as s
from slotwise.feeds.service import (
    FEED_PATH,
    CalendarFeedService,
    FeedReader,
    is_unchanged,
    provide_calendar_feed_service,
    provide_feed_reader,
)
from slotwise.kit.errors import NotFound


class CalendarFeedController(Controller):
    path = "/v4/user/{user_id:uuid}/calendar-feed"
    tags = ["users"]
    opt = access(company=True, pat_scope="events:read")
    dependencies = {"feeds": Provide(provide_calendar_feed_service)}

    @get("/")
    async def get_calendar_feed(
        self, user_id: FromPath[UUID], feeds: NamedDependency[CalendarFeedService]
    ) -> s.CalendarFeed:
        """Whether the user has a calendar feed, and since when (its URL is shown only when
        made or rotated)."""
        return await feeds.get(user_id)

    @post("/", status_code=201)
    async def create_calendar_feed(
        self, user_id: FromPath[UUID], feeds: NamedDependency[CalendarFeedService]
    ) -> s.CalendarFeedCreated:
        """A secret iCalendar URL of the user's bookings for calendar subscriptions (Apple,
        Google, Outlook); a previous URL stops working. The URL is in this response only."""
        return await feeds.create(user_id)

    @post("/rotate", status_code=201)
    async def rotate_calendar_feed(
        self, user_id: FromPath[UUID], feeds: NamedDependency[CalendarFeedService]
    ) -> s.CalendarFeedCreated:
        """A new URL for the user's feed; the old one stops at once (404 when there is none)."""
        return await feeds.create(user_id, must_exist=True)

    @delete("/")
    async def revoke_calendar_feed(
        self, user_id: FromPath[UUID], feeds: NamedDependency[CalendarFeedService]
    ) -> None:
        """Revoke the user's feed: its URL stops at once."""
        await feeds.revoke(user_id)


class CalendarFeedReadController(Controller):
    include_in_schema = False
    dependencies = {"reader": Provide(provide_feed_reader)}

    @get(f"{FEED_PATH}/{{token:str}}", exclude_from_auth=True)
    async def read_calendar_feed(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        reader: NamedDependency[FeedReader],
    ) -> Response[bytes]:
        """The iCalendar feed; 304 when the caller's copy is current, 404 for a wrong URL."""
        feed = await reader.render(token)
        if feed is None:
            raise NotFound("Calendar feed not found")
        headers = {
            "ETag": feed.etag,
            "Last-Modified": format_datetime(feed.last_modified, usegmt=True),
            "Cache-Control": "private, no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }
        unchanged = is_unchanged(
            feed, request.headers.get("if-none-match"), request.headers.get("if-modified-since")
        )
        if unchanged:
            return Response(b"", status_code=304, headers=headers)
        return Response(feed.body, media_type=MEDIA_TYPE, headers=headers)
