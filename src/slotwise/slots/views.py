"""Slot engine results → the wire answer of `GET /v4/booking-availability`."""

import uuid
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec

from slotwise.slots import schemas as s
from slotwise.slots.engine import slots_by_local_date
from slotwise.slots.types import Blocked, Busy, Slot, as_uuid


def render(
    zone: str,
    *,
    slots: list[Slot],
    busy: Mapping[uuid.UUID, list[Busy]],
    window_start: datetime,
    window_end: datetime,
    blocked: list[Blocked] | None,
    calendars_stale: bool = False,
    host_ids: Mapping[datetime, list[uuid.UUID]] | None = None,
) -> s.BookingAvailability:
    """`busy` is each host's; `host_ids` (team types) the hosts free for each slot's start."""
    free = host_ids or {}
    dates = [
        s.DateSpots(
            date=day,
            spots=[
                s.Spot(
                    start_time=local.start_time,
                    end_time=local.end_time,
                    appointment=_group(local.slot),
                    host_ids=free.get(local.slot.start, msgspec.UNSET),
                )
                for local in locals_
            ],
        )
        for day, locals_ in slots_by_local_date(slots, zone)
    ]
    timeframes: list[s.Timeframe] = []
    for host_id, entries in busy.items():
        # the same for every frame of a kind: made once
        booked = s.UnavailabilityEvent(host_id=host_id, type="event")
        calendar = s.UnavailabilityEvent(host_id=host_id, type="calendar")
        timeframes += [
            s.Timeframe(
                start=b.interval.start,
                end=b.interval.end,
                unavailability_event=booked if b.calendar is None else calendar,
            )
            for b in entries
            if b.interval.start < window_end and b.interval.end > window_start
        ]
    if len(busy) > 1:
        timeframes.sort(key=lambda frame: frame.start)
    result = s.BookingAvailability(
        timezone=zone,
        timeframes=timeframes,
        dates=dates,
        earliest_available_date=dates[0].date if dates else None,
    )
    if blocked is not None:
        result.blocked = [_blocked(b, zone) for b in blocked]
    if calendars_stale:
        result.calendars_stale = True
    return result


def _group(slot: Slot) -> s.SpotAppointment | msgspec.UnsetType:
    if slot.appointment_id is None:
        return msgspec.UNSET
    return s.SpotAppointment(
        id=as_uuid(slot.appointment_id),
        total_spots=slot.total_spots,
        taken_spots=slot.taken_spots,
    )


def _blocked(item: Blocked, zone: str) -> s.BlockedSpot:
    tz = ZoneInfo(zone)
    return s.BlockedSpot(
        start_time=item.start.astimezone(tz).isoformat(),
        end_time=item.end.astimezone(tz).isoformat(),
        reason=str(item.reason),
        appointment_id=as_uuid(item.appointment_id) if item.appointment_id else None,
        calendar_connection_id=uuid.UUID(item.calendar) if item.calendar else msgspec.UNSET,
    )
