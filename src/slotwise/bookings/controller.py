"""/v4/booking, /v4/appointment and /v4/provisional-booking routes."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec.enums import OpenAPIFormat
from litestar.params import FromPath, JSONBody, QueryParameter

from slotwise.auth.access import access
from slotwise.bookings import ics
from slotwise.bookings import schemas as s
from slotwise.bookings.services.appointment import (
    AppointmentQuery,
    AppointmentService,
    SortBy,
    SortDirection,
    provide_appointment_service,
)
from slotwise.bookings.services.booking import BookingService, provide_booking_service
from slotwise.bookings.services.provisional import (
    ProvisionalQuery,
    ProvisionalService,
    provide_provisional_service,
)
from slotwise.kit import pagination
from slotwise.kit.pagination import Page, PageSize, PageSizeAlias
from slotwise.kit.polling import PollCursor, PollSort, UpdatedSince
from slotwise.web.idempotency import Idempotency, provide_idempotency

UserFilter = Annotated[
    UUID | None, QueryParameter(name="userId", description="Another user's (admins only)")
]
MeetingTypeFilter = Annotated[UUID | None, QueryParameter(name="meetingTypeId")]


class BookingController(Controller):
    path = "/v4/booking"
    tags = ["bookings"]
    dependencies = {
        "bookings": Provide(provide_booking_service),
        "idempotency": Provide(provide_idempotency),
    }

    @post("/", opt=access(company=True, pat_scope="scheduling"), status_code=201)
    async def create_booking(
        self,
        data: JSONBody[s.BookingCreate],
        bookings: NamedDependency[BookingService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.BookingCreated | s.ProvisionalBookingCreated]:
        """Book a listed slot: 201 with the appointment and its invitee secret, or a provisional
        booking when the meeting type asks the attendee to confirm by email first (double
        opt-in) or requires host confirmation; 409 when the slot is taken."""
        return await idempotency.run(lambda: bookings.create(data), status_code=201, secret=True)


#: an ISO 8601 date-time with an offset (read by the service, which names a bad one)
Instant = Annotated[
    str | None,
    QueryParameter(
        description="ISO 8601 date-time with a UTC offset",
        format=OpenAPIFormat.DATE_TIME,
        max_length=40,
    ),
]


class AppointmentController(Controller):
    path = "/v4/appointment"
    tags = ["appointments"]
    opt = access(pat_scope="scheduling")
    dependencies = {
        "appointments": Provide(provide_appointment_service),
        "idempotency": Provide(provide_idempotency),
    }

    @get("/paginated")
    async def list_appointments(
        self,
        *,
        appointments: NamedDependency[AppointmentService],
        page: Page = 0,
        page_size: PageSize = None,
        limit: PageSizeAlias = None,
        start: Instant = None,
        end: Instant = None,
        status: Annotated[s.StatusName | None, QueryParameter()] = None,
        meeting_type_id: MeetingTypeFilter = None,
        search: Annotated[str | None, QueryParameter(max_length=200)] = None,
        user_id: UserFilter = None,
        sort_by: Annotated[SortBy, QueryParameter(name="sortBy")] = "appointment.start",
        sort_direction: Annotated[SortDirection, QueryParameter(name="sortDirection")] = "ASC",
        updated_since: UpdatedSince = None,
        cursor: PollCursor = None,
    ) -> s.AppointmentList:
        """The acting user's appointments (any user's with `userId`, admins only), 0-indexed
        pages; `start`/`end` select appointments overlapping that span. To poll for changes,
        sort by `updatedAt` (oldest change first, cancellations included) and pass each
        answer's `nextCursor` back as `cursor`: no change is missed or repeated."""
        query = AppointmentQuery(
            page=page,
            page_size=pagination.page_size(page_size, limit),
            start=start,
            end=end,
            status=status,
            meeting_type_id=meeting_type_id,
            search=search,
            user_id=user_id,
            sort_by=sort_by,
            sort_direction=sort_direction,
            updated_since=updated_since,
            cursor=cursor,
        )
        return await appointments.page(query)

    @get("/today")
    async def list_todays_appointments(
        self, appointments: NamedDependency[AppointmentService]
    ) -> list[s.Appointment]:
        """The acting user's confirmed appointments starting today in their time zone."""
        return await appointments.today()

    @get("/current")
    async def get_current_appointment(
        self, appointments: NamedDependency[AppointmentService]
    ) -> s.Appointment | None:
        """The acting user's appointment in progress now, or null."""
        return await appointments.current()

    @get("/{appointment_id:uuid}")
    async def get_appointment(
        self, appointment_id: FromPath[UUID], appointments: NamedDependency[AppointmentService]
    ) -> s.Appointment:
        """One appointment (never its invitee secret)."""
        return await appointments.get(appointment_id)

    @get("/{appointment_id:uuid}/notifications")
    async def list_appointment_notifications(
        self, appointment_id: FromPath[UUID], appointments: NamedDependency[AppointmentService]
    ) -> s.NotificationList:
        """The mails about the appointment (confirmations, reminders, changes) and how each
        went; same access as the appointment."""
        return await appointments.notifications(appointment_id)

    @get("/{appointment_id:uuid}/ics", media_type=ics.MEDIA_TYPE)
    async def get_appointment_ics(
        self, appointment_id: FromPath[UUID], appointments: NamedDependency[AppointmentService]
    ) -> Response[bytes]:
        """The appointment as an RFC 5545 calendar (METHOD:CANCEL once cancelled)."""
        content = await appointments.ics(appointment_id)
        return Response(content=content, media_type=ics.MEDIA_TYPE)

    @post("/{appointment_id:uuid}/cancel", status_code=200)
    async def cancel_appointment(
        self,
        appointment_id: FromPath[UUID],
        data: JSONBody[s.CancelAppointment],
        appointments: NamedDependency[AppointmentService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.Appointment]:
        """Cancel an appointment, or remove one attendee of a group appointment."""
        return await idempotency.run(
            lambda: appointments.cancel(appointment_id, data), status_code=200
        )

    @delete("/{appointment_id:uuid}", status_code=200)
    async def delete_appointment(
        self, appointment_id: FromPath[UUID], appointments: NamedDependency[AppointmentService]
    ) -> s.Appointment:
        """Cancel an appointment (the older form of `POST /{id}/cancel`; groups: everyone)."""
        return await appointments.cancel(appointment_id, s.CancelAppointment(cancel_all=True))

    @post("/{appointment_id:uuid}/reschedule", status_code=200)
    async def reschedule_appointment(
        self,
        appointment_id: FromPath[UUID],
        data: JSONBody[s.RescheduleAppointment],
        appointments: NamedDependency[AppointmentService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.Rescheduled]:
        """Move an appointment (every attendee of a group), keeping its duration."""
        return await idempotency.run(
            lambda: appointments.reschedule(appointment_id, data), status_code=200
        )


class ProvisionalBookingController(Controller):
    path = "/v4/provisional-booking"
    tags = ["provisional-bookings"]
    opt = access(pat_scope="scheduling")
    dependencies = {"provisional": Provide(provide_provisional_service)}

    @get("/paginated")
    async def list_provisional_bookings(
        self,
        *,
        provisional: NamedDependency[ProvisionalService],
        page: Page = 0,
        page_size: PageSize = None,
        limit: PageSizeAlias = None,
        status: Annotated[s.ProvisionalStatus | None, QueryParameter()] = None,
        meeting_type_id: MeetingTypeFilter = None,
        user_id: UserFilter = None,
        sort_by: PollSort = None,
        updated_since: UpdatedSince = None,
        cursor: PollCursor = None,
    ) -> s.ProvisionalBookingList:
        """Bookings waiting for (or decided by) the attendee's confirmation (`doubleOptIn`) or
        the host's (`hostConfirmation`), newest first; with `sortBy=updatedAt`, oldest change
        first, polled with `updatedSince` and each answer's `nextCursor`."""
        query = ProvisionalQuery(
            page=page,
            page_size=pagination.page_size(page_size, limit),
            status=status,
            meeting_type_id=meeting_type_id,
            user_id=user_id,
            sort_by=sort_by,
            updated_since=updated_since,
            cursor=cursor,
        )
        return await provisional.list(query)

    @post("/{provisional_booking_id:uuid}/confirm", status_code=200)
    async def confirm_provisional_booking(
        self,
        provisional_booking_id: FromPath[UUID],
        provisional: NamedDependency[ProvisionalService],
    ) -> s.BookingCreated:
        """Confirm (host or admin): the booking becomes an appointment with the same id and a
        new invitee secret; 409 once it expired, and while it waits for its attendee (double
        opt-in: only they can confirm it)."""
        return await provisional.confirm(provisional_booking_id)

    @post("/{provisional_booking_id:uuid}/decline", status_code=200)
    async def decline_provisional_booking(
        self,
        provisional_booking_id: FromPath[UUID],
        provisional: NamedDependency[ProvisionalService],
    ) -> s.ProvisionalBooking:
        """Decline (host or admin): the slot is free again."""
        return await provisional.decline(provisional_booking_id)
