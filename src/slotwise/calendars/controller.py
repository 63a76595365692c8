"""`/v4/calendar-connections`: a user's connected calendars (meetergo's list route, plus direct
creation for CalDAV servers and ICS feeds)."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from slotwise.auth.access import access
from slotwise.calendars import schemas as s
from slotwise.calendars.service import (
    CalendarService,
    LinkConnector,
    provide_calendar_service,
    provide_link_connector,
)

UserFilter = Annotated[
    UUID | None, QueryParameter(name="userId", description="Another user's (admins only)")
]


class CalendarConnectionController(Controller):
    path = "/v4/calendar-connections"
    tags = ["calendar-connections"]
    opt = access(pat_scope="scheduling")
    dependencies = {"calendars": Provide(provide_calendar_service)}

    @get("/connections")
    async def list_calendar_connections(
        self, calendars: NamedDependency[CalendarService], user_id: UserFilter = None
    ) -> s.ConnectionList:
        """The acting user's connected calendars (another user's with `userId`, admins only)."""
        return await calendars.list_connections(user_id)

    @get("/auth/{provider:str}/url")
    async def get_calendar_auth_url(
        self,
        provider: FromPath[str],
        calendars: NamedDependency[CalendarService],
        redirect_url: Annotated[
            str | None, QueryParameter(name="redirectUrl", max_length=2048)
        ] = None,
        user_id: UserFilter = None,
    ) -> s.AuthUrl:
        """meetergo's connect link for `google` and `outlook` (400 "Provider not configured"
        until the operator sets up the OAuth app); CalDAV servers and ICS feeds connect with
        `POST /v4/calendar-connections`."""
        return await calendars.auth_url(provider, redirect_url, user_id)

    @post("/", status_code=201)
    async def create_calendar_connection(
        self, data: JSONBody[s.ConnectionCreate], calendars: NamedDependency[CalendarService]
    ) -> s.Connection:
        """Connect a CalDAV account (its calendars are found and all checked for conflicts) or
        an ICS feed. The server is asked before anything is stored: a wrong URL or password is
        a 400 naming the field."""
        return await calendars.create(data)

    @get("/{connection_id:uuid}")
    async def get_calendar_connection(
        self, connection_id: FromPath[UUID], calendars: NamedDependency[CalendarService]
    ) -> s.Connection:
        """One connection with its calendars, state and last sync."""
        return await calendars.get(connection_id)

    @patch("/{connection_id:uuid}")
    async def update_calendar_connection(
        self,
        connection_id: FromPath[UUID],
        data: JSONBody[s.ConnectionUpdate],
        calendars: NamedDependency[CalendarService],
    ) -> s.Connection:
        """Choose the calendars that block slots and the one bookings are written into."""
        return await calendars.update(connection_id, data)

    @delete("/{connection_id:uuid}", status_code=204)
    async def delete_calendar_connection(
        self, connection_id: FromPath[UUID], calendars: NamedDependency[CalendarService]
    ) -> None:
        """Disconnect: its busy time stops blocking at once (events written stay)."""
        await calendars.delete(connection_id)


#: the hosted connect form's grant, sent as a header so it stays out of access logs
ConnectTokenHeader = Annotated[str | None, HeaderParameter(name="x-connect-token", max_length=4000)]


class CalendarConnectLinkController(Controller):
    """What the hosted connect form (`/cc`, opened by the connect link) calls."""

    path = "/v4/public/calendar-connection"
    tags = ["public"]
    dependencies = {"connector": Provide(provide_link_connector)}

    @post("/", status_code=201, exclude_from_auth=True)
    async def connect_calendar_by_link(
        self,
        data: JSONBody[s.LinkConnect],
        connector: NamedDependency[LinkConnector],
        token: ConnectTokenHeader = None,
    ) -> s.LinkConnected:
        """Connect the calendar the link was made for (`x-connect-token`: the link's fragment);
        404 once the link has expired (an hour)."""
        return await connector.connect(token, data)
