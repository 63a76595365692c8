"""Connection rows → the wire."""

from collections.abc import Sequence

from slotwise.calendars import schemas as s
from slotwise.models import Calendar, CalendarConnection, ConnectionStatus


def calendar_view(row: Calendar) -> s.CalendarView:
    return s.CalendarView(
        id=row.id,
        name=row.name,
        is_selected=row.is_selected,
        receives_bookings=row.receives_bookings,
        read_only=row.read_only,
    )


def connection_view(row: CalendarConnection, calendars: Sequence[Calendar]) -> s.Connection:
    views = [calendar_view(c) for c in calendars]
    return s.Connection(
        id=row.id,
        provider=row.provider.value,
        email=row.email,
        is_primary=row.is_primary,
        is_connected=row.status is ConnectionStatus.CONNECTED,
        selected_calendars=[v for v in views if v.is_selected],
        created_at=row.created_at,
        updated_at=row.updated_at,
        user_id=row.user_id,
        calendars=views,
        error=row.error,
        last_synced_at=row.synced_at,
    )
