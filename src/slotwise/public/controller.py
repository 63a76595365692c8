"""Unauthenticated routes: booking URLs, and invitees acting on their own appointment."""

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from slotwise.bookings import ics
from slotwise.bookings import schemas as booking_schemas
from slotwise.bookings.services.decision import HostDecisionService, provide_decision_service
from slotwise.bookings.services.invitee import InviteeService, provide_invitee_service
from slotwise.bookings.services.opt_in import OptInService, provide_opt_in_service
from slotwise.public import schemas as s
from slotwise.public.links import OneTimeLinkService, provide_link_service
from slotwise.public.service import (
    PublicBookingService,
    managed_booking,
    opt_in_page,
    provide_public_service,
)
from slotwise.slots import schemas as slot_schemas
from slotwise.web.idempotency import IdempotencyKeyHeader

Text = Annotated[str | None, QueryParameter(max_length=100)]
#: a required date (YYYY-MM-DD; an ISO date-time is read as its date)
Day = Annotated[
    str | None,
    QueryParameter(max_length=100, required=True, format="date", description="YYYY-MM-DD"),
]
#: an invitee's secret, sent as a header so it stays out of access logs
SecretHeader = Annotated[str | None, HeaderParameter(name="x-appointment-secret", max_length=200)]


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

    @get(
        "/{user_slug:str}/{meeting_type_slug:str}/slots",
        exclude_from_auth=True,
        responses={
            200: ResponseSpec(
                slot_schemas.BookingAvailability,
                description="The same answer as GET /v4/booking-availability",
                generate_examples=False,
            )
        },
    )
    async def get_booking_page_slots(
        self,
        *,
        user_slug: FromPath[str],
        meeting_type_slug: FromPath[str],
        public: NamedDependency[PublicBookingService],
        start: Day = None,
        end: Day = None,
        timezone: Text = None,
    ) -> Response[bytes]:
        """Bookable slots of the page's meeting type (`start`, `end`: YYYY-MM-DD; `timezone`:
        the zone to show them in), without credentials."""
        body = await public.slots(
            user_slug, meeting_type_slug, start=start, end=end, timezone=timezone
        )
        return Response(body, media_type=MediaType.JSON)

    @post("/{user_slug:str}/{meeting_type_slug:str}/book", exclude_from_auth=True, status_code=201)
    async def book_on_booking_page(
        self,
        *,
        user_slug: FromPath[str],
        meeting_type_slug: FromPath[str],
        data: JSONBody[s.PublicBookingCreate],
        public: NamedDependency[PublicBookingService],
        request: Request[Any, Any, Any],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[s.PublicBookingCreated | booking_schemas.ProvisionalBookingCreated]:
        """Book a slot the page lists: 201 with the appointment and the invitee's manage link,
        or a provisional booking when the invitee confirms by email first (double opt-in) or
        the host confirms bookings; 409 when the slot is gone.
        `Idempotency-Key` makes a double click book once."""
        return await public.book(user_slug, meeting_type_slug, data, request)


class OneTimeLinkBookingController(Controller):
    """A one-time booking link's page books through these: its meeting type's slots, and one
    booking, after which the link answers 410."""

    path = "/v4/public/one-time-link"
    tags = ["public"]
    dependencies = {"links": Provide(provide_link_service)}

    @get(
        "/{token:str}/slots",
        exclude_from_auth=True,
        responses={
            200: ResponseSpec(
                slot_schemas.BookingAvailability,
                description="The same answer as GET /v4/booking-availability",
                generate_examples=False,
            )
        },
    )
    async def get_one_time_link_slots(
        self,
        *,
        token: FromPath[str],
        links: NamedDependency[OneTimeLinkService],
        start: Day = None,
        end: Day = None,
        timezone: Text = None,
    ) -> Response[bytes]:
        """Bookable slots of the link's meeting type (`start`, `end`: YYYY-MM-DD; `timezone`:
        the zone to show them in), without credentials; 410 once the link is used or expired."""
        body = await links.slots(token, start=start, end=end, timezone=timezone)
        return Response(body, media_type=MediaType.JSON)

    @post("/{token:str}/book", exclude_from_auth=True, status_code=201)
    async def book_with_one_time_link(
        self,
        *,
        token: FromPath[str],
        data: JSONBody[s.PublicBookingCreate],
        links: NamedDependency[OneTimeLinkService],
        request: Request[Any, Any, Any],
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[s.PublicBookingCreated | booking_schemas.ProvisionalBookingCreated]:
        """Book a slot the link's page lists, as on the meeting type's booking page (201, or
        409 when the slot is gone, and the link still books). The booking uses the link up:
        any later booking through it is 410, and of concurrent ones exactly one succeeds.
        `Idempotency-Key` makes a double click book once."""
        return await links.book(token, data, request)


class InviteeAppointmentController(Controller):
    """An invitee's own appointment, proven by the secret returned when it was booked."""

    path = "/v4/public/appointment"
    tags = ["public"]
    dependencies = {"invitees": Provide(provide_invitee_service)}

    @get("/{appointment_id:uuid}", exclude_from_auth=True)
    async def get_own_appointment(
        self,
        appointment_id: FromPath[UUID],
        invitees: NamedDependency[InviteeService],
        secret: SecretHeader = None,
    ) -> s.ManagedBooking:
        """The booking behind a manage link, with its secret in `X-Appointment-Secret` (a
        header, so it stays out of access logs), and how its company's pages look; 404 once it
        is cancelled."""
        return await managed_booking(invitees, appointment_id, secret)

    @get(
        "/{appointment_id:uuid}/ics",
        exclude_from_auth=True,
        media_type=ics.MEDIA_TYPE,
    )
    async def get_own_appointment_ics(
        self,
        appointment_id: FromPath[UUID],
        invitees: NamedDependency[InviteeService],
        secret: SecretHeader = None,
    ) -> Response[bytes]:
        """The booking as a calendar file (the same UID as every later update), with its
        secret in `X-Appointment-Secret`; 404 once it is cancelled."""
        content = await invitees.ics(appointment_id, secret)
        return Response(content=content, media_type=ics.MEDIA_TYPE)

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


class HostDecisionController(Controller):
    """A host confirms or declines a booking request through the links in their mail."""

    path = "/v4/public/booking-request"
    tags = ["public"]
    dependencies = {"decisions": Provide(provide_decision_service)}

    @get("/{appointment_id:uuid}", exclude_from_auth=True)
    async def get_booking_request(
        self,
        appointment_id: FromPath[UUID],
        decisions: NamedDependency[HostDecisionService],
        secret: SecretHeader = None,
    ) -> booking_schemas.HostDecisionView:
        """The request behind the host's mailed link, with the link's token in
        `X-Appointment-Secret`; 404 once it is decided or expired."""
        return await decisions.view(appointment_id, secret)

    @post("/{appointment_id:uuid}/confirm", exclude_from_auth=True, status_code=200)
    async def confirm_booking_request(
        self,
        appointment_id: FromPath[UUID],
        data: JSONBody[booking_schemas.HostDecision],
        decisions: NamedDependency[HostDecisionService],
    ) -> booking_schemas.HostDecided:
        """Confirm with the link's token (no credentials); it works once."""
        return await decisions.confirm(appointment_id, data)

    @post("/{appointment_id:uuid}/decline", exclude_from_auth=True, status_code=200)
    async def decline_booking_request(
        self,
        appointment_id: FromPath[UUID],
        data: JSONBody[booking_schemas.HostDecision],
        decisions: NamedDependency[HostDecisionService],
    ) -> booking_schemas.HostDecided:
        """Decline with the link's token and an optional reason (no credentials); it works
        once."""
        return await decisions.decline(appointment_id, data)


class AttendeeOptInController(Controller):
    """An attendee confirms a double opt-in booking through the link in their mail."""

    path = "/v4/public/double-opt-in"
    tags = ["public"]
    dependencies = {"opt_ins": Provide(provide_opt_in_service)}

    @get("/{appointment_id:uuid}", exclude_from_auth=True)
    async def get_booking_to_confirm(
        self,
        appointment_id: FromPath[UUID],
        opt_ins: NamedDependency[OptInService],
        secret: SecretHeader = None,
    ) -> s.OptInPage:
        """The booking behind the attendee's mailed confirm link, with the link's token in
        `X-Appointment-Secret`, and how its company's pages look; 404 once it expired, was
        declined or cancelled."""
        return await opt_in_page(opt_ins, appointment_id, secret)

    @post("/{appointment_id:uuid}/confirm", exclude_from_auth=True, status_code=200)
    async def confirm_booking_as_attendee(
        self,
        appointment_id: FromPath[UUID],
        data: JSONBody[booking_schemas.OptInConfirm],
        opt_ins: NamedDependency[OptInService],
    ) -> booking_schemas.OptInConfirmed:
        """Confirm with the link's token (no credentials): the booking is confirmed (or, when
        the host confirms bookings too, waits for the host next); confirming again answers the
        same and sends nothing; 409 once it expired, was declined or cancelled."""
        return await opt_ins.confirm(appointment_id, data)
