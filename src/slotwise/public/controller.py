"""Unauthenticated routes: booking URLs, and invitees acting on their own appointment."""

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from slotwise.bookings import schemas as booking_schemas
from slotwise.bookings.services.invitee import InviteeService, provide_invitee_service
from slotwise.public import schemas as s
from slotwise.public.service import PublicBookingService, provide_public_service


class PublicBookingPageController(Controller):
    path = "/v4/public/booking-page"
    tags = ["public"]
    dependencies = {"public": Provide(provide_public_service)}

    @get("/{user_slug:str}/{meeting_type_slug:str}", exclude_from_auth=True)
    async def get_booking_page(
        self,
        user_slug: FromPath[str],
        meeting_type_slug: FromPath[str],
        public: NamedDependency[PublicBookingService],
    ) -> s.BookingPage:
        """What a booking URL books: host, meeting type and its time zone (no credentials)."""
        return await public.page(user_slug, meeting_type_slug)


class InviteeAppointmentController(Controller):
    """An invitee's own appointment, proven by the secret returned when it was booked."""

    path = "/v4/public/appointment"
    tags = ["public"]
    dependencies = {"invitees": Provide(provide_invitee_service)}

    @post("/{appointment_id:uuid}/cancel", exclude_from_auth=True, status_code=200)
    async def cancel_own_appointment(
        self,
        appointment_id: FromPath[UUID],
        data: JSONBody[booking_schemas.InviteeCancel],
        invitees: NamedDependency[InviteeService],
    ) -> booking_schemas.InviteeAppointment:
        """Cancel with the appointment secret (no credentials); in a group, only yourself."""
        return await invitees.cancel(appointment_id, data)

    @post("/{appointment_id:uuid}/reschedule", exclude_from_auth=True, status_code=200)
    async def reschedule_own_appointment(
        self,
        appointment_id: FromPath[UUID],
        data: JSONBody[booking_schemas.InviteeReschedule],
        invitees: NamedDependency[InviteeService],
    ) -> booking_schemas.InviteeAppointment:
        """Move the appointment to another listed slot with its secret (no credentials)."""
        return await invitees.reschedule(appointment_id, data)
