"""`GET /v4/booking-availability`: bookable slots of a meeting type."""

from datetime import UTC, datetime
from typing import Annotated

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter

from slotwise.auth.access import access
from slotwise.slots import schemas as s
from slotwise.slots.params import RawSlotParams, parse
from slotwise.slots.service import SlotService, provide_slot_service

Text = Annotated[str | None, QueryParameter(max_length=100)]
#: a local date, YYYY-MM-DD (an ISO date-time is read as its date)
Day = Annotated[str | None, QueryParameter(max_length=100, format="date")]


class SlotController(Controller):
    path = "/v4/booking-availability"
    tags = ["booking-availability"]
    dependencies = {"slots": Provide(provide_slot_service)}

    @get(
        "/",
        opt=access(company=True, pat_scope="scheduling"),
        responses={
            200: ResponseSpec(
                s.BookingAvailability,
                description="Request fulfilled, document follows",
                generate_examples=False,
            )
        },
    )
    async def get_booking_availability(
        self,
        *,
        slots: NamedDependency[SlotService],
        meeting_type_id: Annotated[str | None, QueryParameter(name="meetingTypeId")] = None,
        start: Day = None,
        end: Day = None,
        start_date: Annotated[
            str | None, QueryParameter(name="startDate", max_length=100, format="date")
        ] = None,
        end_date: Annotated[
            str | None, QueryParameter(name="endDate", max_length=100, format="date")
        ] = None,
        from_: Annotated[
            str | None, QueryParameter(name="from", max_length=100, format="date")
        ] = None,
        to: Day = None,
        timezone: Text = None,
        host_ids: Annotated[list[str] | None, QueryParameter(name="hostIds")] = None,
        meeting_duration: Annotated[
            int | None, QueryParameter(name="meetingDuration", ge=1, le=1440)
        ] = None,
        existing_appointment_id: Annotated[
            str | None, QueryParameter(name="existingAppointmentId")
        ] = None,
        troubleshoot: Annotated[bool, QueryParameter()] = False,
    ) -> Response[bytes]:
        """Bookable start times per local date; `hostIds` is optional (taken from the type)."""
        request = parse(
            RawSlotParams(
                meeting_type_id=meeting_type_id,
                start=start,
                end=end,
                start_date=start_date,
                end_date=end_date,
                from_=from_,
                to=to,
                timezone=timezone,
                host_ids=host_ids or [],
                meeting_duration=meeting_duration,
                existing_appointment_id=existing_appointment_id,
                troubleshoot=troubleshoot,
            )
        )
        body = await slots.booking_availability(request, datetime.now(UTC))
        return Response(body, media_type=MediaType.JSON)
