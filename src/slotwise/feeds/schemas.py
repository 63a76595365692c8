"""Wire shapes of calendar feed management."""

from datetime import datetime

from slotwise.kit.wire import WireStruct


class CalendarFeed(WireStruct):
    #: whether the user has a feed (its URL is shown only when made)
    active: bool
    created_at: datetime | None


class CalendarFeedCreated(WireStruct):
    """The only response that carries the feed's URL (it is the secret)."""

    #: subscribe to this in Apple Calendar, Google Calendar or Outlook
    url: str
    created_at: datetime
