"""Meeting type rows → the wire."""

from typing import Literal, cast

import msgspec

from slotwise.meeting_types import schemas as s
from slotwise.meeting_types.validation import channel, meeting_options
from slotwise.models import MeetingType


def meeting_type_view(row: MeetingType, booking_url: str) -> s.MeetingType:
    return s.MeetingType(
        id=row.id,
        user_id=row.user_id,
        company_id=row.company_id,
        slug=row.slug,
        enabled=row.enabled,
        meeting_info=s.MeetingInfo(
            name=row.name,
            description=row.description,
            duration=row.duration,
            channel=channel(row.channel),
            custom_channel_name=row.custom_channel_name,
            custom_channel_link=row.custom_channel_link,
            buffer_before=row.buffer_before,
            buffer_after=row.buffer_after,
            color=row.color,
            enable_redirect=bool(row.meeting_options.get("enableRedirect", False)),
            redirect=row.meeting_options.get("redirect"),
            pass_event_details_to_redirect=bool(
                row.meeting_options.get("passEventDetailsToRedirect", False)
            ),
        ),
        availability_id=row.availability_id,
        timeslot_interval=row.interval,
        booking_minimum=row.booking_minimum,
        days_into_future=msgspec.convert(row.days_into_future, s.DaysIntoFutureView),
        spots=row.spots,
        meeting_options=msgspec.convert(
            meeting_options(None, row.meeting_options), s.MeetingOptions
        ),
        metadata=dict(row.meta),
        booking_url=booking_url,
        color=row.color,
        locations=msgspec.convert(row.locations, list[s.Location]),
        price=row.price,
        currency=row.currency,
        custom_fields=msgspec.convert(row.custom_fields, list[s.CustomField]),
        reminders=row.reminders,
        created_at=row.created_at,
        updated_at=row.updated_at,
        queue_id=row.queue_id,
        calculation_method=cast("Literal['anyone', 'everyone'] | None", row.calculation_method),
    )
