"""Wire shapes of calendar connections (meetergo's `GET /v4/calendar-connections/connections`,
plus direct creation for CalDAV servers and ICS feeds)."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from slotwise.kit.wire import InputStruct, WireStruct

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType

Url = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2048,
        description="https URL of the CalDAV server (any page of it) or of the ICS feed",
        examples=["https://caldav.fastmail.com/"],
    ),
]
#: meetergo's provider names; `google`, `outlook` connect through OAuth
Provider = Literal["google", "outlook", "icloud", "caldav", "exchange", "smart-we", "ics"]


class CaldavCreate(InputStruct, tag="caldav", tag_field="provider"):
    """A CalDAV account (iCloud with an app password, Fastmail, Nextcloud, Radicale, …); its
    calendars are found and all of them checked for conflicts."""

    url: Url
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=320)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]
    #: another user's connection (admins and platform keys only)
    user_id: uuid.UUID | None = None


class IcsCreate(InputStruct, tag="ics", tag_field="provider"):
    """A read-only iCalendar feed, e.g. a calendar's secret iCal address."""

    url: Url
    user_id: uuid.UUID | None = None


ConnectionCreate = CaldavCreate | IcsCreate


class ConnectionUpdate(InputStruct):
    #: the calendars whose events block slots (replaces the selection)
    selected_calendar_ids: list[uuid.UUID] | Unset = UNSET
    #: the calendar bookings are written into; null: none
    booking_calendar_id: uuid.UUID | Unset | None = UNSET
    is_primary: bool | Unset = UNSET


class CalendarView(WireStruct):
    id: uuid.UUID
    name: str
    is_selected: bool
    receives_bookings: bool
    read_only: bool


class Connection(WireStruct):
    id: uuid.UUID
    provider: str
    email: str | None
    is_primary: bool
    is_connected: bool
    #: the calendars that block slots
    selected_calendars: list[CalendarView]
    created_at: datetime
    updated_at: datetime
    user_id: uuid.UUID
    #: every calendar of the connection
    calendars: list[CalendarView]
    #: why the last sync failed (null while connected)
    error: str | None
    last_synced_at: datetime | None


class ConnectionList(WireStruct):
    connections: list[Connection]
    total: int


class AuthUrl(WireStruct):
    auth_url: str
    provider: str


class LinkConnect(InputStruct):
    """The hosted connect form: the server's URL (or the feed's), and the login for CalDAV."""

    url: Url
    username: Annotated[str, msgspec.Meta(max_length=320)] | None = None
    password: Annotated[str, msgspec.Meta(max_length=1024)] | None = None


class LinkConnected(WireStruct):
    connection_id: uuid.UUID
    provider: str
    #: the partner's `redirectUrl` with meetergo's success parameters, when one was given
    redirect_url: str | None
