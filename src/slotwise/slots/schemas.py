"""Wire shape of `GET /v4/booking-availability` (meetergo's current form)."""

import uuid
from datetime import date, datetime

import msgspec

from slotwise.kit.wire import WireStruct


class UnavailabilityEvent(WireStruct):
    host_id: uuid.UUID
    #: `event`: an appointment; `calendar`: an event of a connected calendar
    type: str = "event"


class Timeframe(WireStruct):
    """A busy window of a host (UTC), so clients can show why time is taken."""

    start: datetime
    end: datetime
    unavailability_event: UnavailabilityEvent


class SpotAppointment(WireStruct):
    id: uuid.UUID
    total_spots: int
    taken_spots: int


class Spot(WireStruct):
    start_time: str
    end_time: str
    appointment: SpotAppointment | msgspec.UnsetType = msgspec.UNSET
    #: team meeting types: the hosts free for this slot (a booking picks among them)
    host_ids: list[uuid.UUID] | msgspec.UnsetType = msgspec.UNSET


class DateSpots(WireStruct):
    date: date
    spots: list[Spot]


class BlockedSpot(WireStruct):
    start_time: str
    end_time: str
    reason: str
    appointment_id: uuid.UUID | None = None
    #: for `calendar`: the connection whose event blocks the slot
    calendar_connection_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET


class BookingAvailability(WireStruct):
    timezone: str
    timeframes: list[Timeframe]
    dates: list[DateSpots]
    earliest_available_date: date | None
    blocked: list[BlockedSpot] | msgspec.UnsetType = msgspec.UNSET
    #: true when a connected calendar's busy time could not be brought up to date: the answer
    #: uses the last copy
    calendars_stale: bool | msgspec.UnsetType = msgspec.UNSET
