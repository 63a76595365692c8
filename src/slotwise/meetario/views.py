"""/v4 answers and rows → the Meetario sheet's shapes (pure mapping, no queries)."""

import math
from datetime import datetime
from typing import Any

from slotwise.availability import schemas as avs
from slotwise.availability.formats import DAY_NAMES
from slotwise.bookings.meetario_event import whole_seconds
from slotwise.meetario import schemas as s
from slotwise.meetario.ids import Kind, prefixed
from slotwise.meeting_types import schemas as ms
from slotwise.models import Availability, WebhookEndpoint
from slotwise.users import schemas as us
from slotwise.webhooks import schemas as wh
from slotwise.webhooks import views as webhook_views
from slotwise.webhooks.events import dotted

#: minutes in a day, for `max_advance_booking` in days
_DAY_MINUTES = 1440
_WEEK_START = {
    "monday": 1,
    "tuesday": 2,
    "wednesday": 3,
    "thursday": 4,
    "friday": 5,
    "saturday": 6,
    "sunday": 0,
}


def pagination(page: int, limit: int, total: int) -> s.V1Pagination:
    return s.V1Pagination(page=page, limit=limit, total=total, pages=math.ceil(total / limit))


def _location(meeting_type: ms.MeetingType) -> s.V1Location | None:
    if not meeting_type.locations:
        return None
    first = meeting_type.locations[0]
    return s.V1Location(type=first.type, display=first.display, custom=first.value or first.address)


def _max_days(days_into_future: ms.DaysIntoFutureView) -> int | None:
    if days_into_future.mode == "limit" and days_into_future.booking_limit is not None:
        return math.ceil(days_into_future.booking_limit / _DAY_MINUTES)
    return None


def _available_days(schedule: Availability | None) -> list[str]:
    days: dict[str, Any] = schedule.schedule if schedule is not None else {}
    return [day for day in DAY_NAMES if (days.get(day) or {}).get("enabled")]


def event_type(
    meeting_type: ms.MeetingType, number: int, schedule: Availability | None, host_slug: str
) -> s.V1EventType:
    info = meeting_type.meeting_info
    return s.V1EventType(
        uuid=prefixed(Kind.EVENT_TYPE, meeting_type.id),
        id=number,
        name=info.name,
        slug=meeting_type.slug,
        description=info.description,
        duration=info.duration,
        color=meeting_type.color or info.color,
        location=_location(meeting_type),
        is_active=meeting_type.enabled,
        requires_approval=meeting_type.meeting_options.require_host_confirmation,
        scheduling_settings=s.V1SchedulingSettings(
            buffer_time_before=info.buffer_before,
            buffer_time_after=info.buffer_after,
            min_advance_booking=math.ceil(meeting_type.booking_minimum / 60),
            max_advance_booking=_max_days(meeting_type.days_into_future),
            available_days=_available_days(schedule),
        ),
        timezone=schedule.timezone if schedule is not None else "UTC",
        payment=s.V1Payment(
            is_paid=meeting_type.price is not None and meeting_type.price > 0,
            price=meeting_type.price,
            currency=meeting_type.currency,
            payment_method=None,
        ),
        custom_fields=[field_view(field) for field in meeting_type.custom_fields],
        sort_order=0,
        created_at=whole_seconds(meeting_type.created_at),
        updated_at=whole_seconds(meeting_type.updated_at),
        uri=f"/api/v1/event_types/{number}",
        scheduling_url=f"{host_slug}/{meeting_type.slug}",
    )


def field_view(field: ms.CustomField) -> dict[str, Any]:
    return {
        "key": field.key,
        "label": field.label,
        "type": field.type,
        "required": field.required,
        "options": field.options,
    }


def user(row: us.User, number: int) -> s.V1User:
    week_start = _WEEK_START.get((row.week_start or "monday").lower(), 1)
    return s.V1User(
        uuid=prefixed(Kind.USER, row.id),
        id=number,
        email=row.email,
        name=row.full_name,
        first_name=row.given_name,
        last_name=row.family_name,
        avatar_url=None,
        timezone=row.timezone,
        position=row.title,
        company=row.company,
        locale=s.V1Locale(
            date_format=row.date_format, time_format=row.time_format, week_start=week_start
        ),
        status="active",
        created_at=whole_seconds(row.created_at),
        updated_at=whole_seconds(row.updated_at),
        uri="/api/v1/users/me",
    )


def day_slots(days: dict[str, list[s.V1SlotView]]) -> s.V1Availability:
    return s.V1Availability(
        data=[s.V1DaySlots(date=day, slots=slots) for day, slots in days.items()]
    )


#: what the sheet shows for a day without hours
_WORKDAY = ("09:00", "17:00")


def week_day(day: avs.Day) -> s.V1WeekDay:
    """One start and end a day, where /v4 allows breaks: the first range's start and the last
    range's end (a day with breaks shows its whole span). A day without hours shows the
    sheet's 09:00-17:00; a disabled day keeps the hours it had, so turning it on restores them."""
    if not day.hours:
        return s.V1WeekDay(enabled=day.enabled, start=_WORKDAY[0], end=_WORKDAY[1])
    return s.V1WeekDay(enabled=day.enabled, start=day.hours[0].start, end=day.hours[-1].end)


def weekly(row: avs.Availability | None, user_zone: str) -> s.V1WeeklyAvailabilityData:
    """The default availability keyed "1" (Monday) to "7" (Sunday); without one, every day
    off in the user's zone (nothing is bookable then either)."""
    off = avs.Day(enabled=False, hours=[])
    days = [getattr(row.schedule, name) if row else off for name in DAY_NAMES]
    return s.V1WeeklyAvailabilityData(
        data=s.V1WeeklyAvailability(
            availability={str(n): week_day(day) for n, day in enumerate(days, start=1)},
            timezone=row.timezone if row else user_zone,
        )
    )


def webhook(row: WebhookEndpoint, secret: str) -> s.V1Webhook:
    """`secret` as the answer shows it: in full once, after that masked."""
    stats = webhook_views.stats(row)
    return s.V1Webhook(
        uuid=prefixed(Kind.WEBHOOK, row.id),
        id=row.number,
        name=row.name,
        url=row.url,
        events=[dotted(name) for name in row.event_types],
        status=row.status.value,
        secret=secret,
        headers=webhook_views.masked_headers(row),
        timeout_seconds=row.timeout_seconds,
        max_retries=row.max_retries,
        verify_ssl=row.verify_ssl,
        stats=s.V1WebhookStats(
            success_count=stats.success_count,
            failure_count=stats.failure_count,
            success_rate=stats.success_rate,
            last_success_at=_seconds_or_none(stats.last_success_at),
            last_failure_at=_seconds_or_none(stats.last_failure_at),
        ),
        created_at=whole_seconds(row.created_at),
        updated_at=whole_seconds(row.updated_at),
    )


def _seconds_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else whole_seconds(value)


def test_result(result: wh.TestResult) -> s.V1WebhookTest:
    delivered = result.status == "delivered"
    return s.V1WebhookTest(
        message="Test webhook sent successfully" if delivered else "Test webhook failed",
        delivery=s.V1TestDelivery(
            id=prefixed(Kind.DELIVERY, result.id),
            status=result.status,
            response_code=result.response_code,
            response_time_ms=result.response_time_ms,
            sent_at=whole_seconds(result.sent_at),
            error=result.error,
        ),
    )
