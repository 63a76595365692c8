"""/api/v1 routes: the Meetario sheet's paths, answered by `MeetarioService`."""

from datetime import date
from typing import Annotated, Literal

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec.enums import OpenAPIFormat
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from slotwise.auth.access import access
from slotwise.kit.polling import Poll
from slotwise.meetario import schemas as s
from slotwise.meetario.service import EventFilter, MeetarioService, provide_meetario_service
from slotwise.meetario.webhooks import MeetarioWebhookService, provide_meetario_webhooks

Page = Annotated[int, QueryParameter(ge=1, le=1_000_000, description="1-based")]
Limit = Annotated[int, QueryParameter(ge=1, le=100)]
#: polling by update time, in the sheet's snake_case: `sort_by=updated_at`, `updated_since`,
#: and `cursor` (the previous answer's `next_cursor`)
SortBy = Annotated[
    Literal["updated_at"] | None,
    QueryParameter(description="updated_at: oldest change first, for polling"),
]
UpdatedSince = Annotated[
    str | None,
    QueryParameter(
        description="With sort_by=updated_at: changed at or after (RFC 3339)",
        format=OpenAPIFormat.DATE_TIME,
        max_length=40,
    ),
]
Cursor = Annotated[
    str | None,
    QueryParameter(
        description="With sort_by=updated_at: the previous answer's next_cursor", max_length=100
    ),
]
DEPENDENCIES = {"meetario": Provide(provide_meetario_service)}


class MeetarioUserController(Controller):
    path = "/api/v1/users"
    tags = ["meetario"]
    dependencies = DEPENDENCIES

    @get("/me", opt=access(pat_scope="users:read"))
    async def get_user_me(self, meetario: NamedDependency[MeetarioService]) -> s.V1UserData:
        """The user the token acts as."""
        return await meetario.me()

    @patch("/me", opt=access(pat_scope="users:write"))
    async def update_user_me(
        self, data: JSONBody[s.V1UserUpdate], meetario: NamedDependency[MeetarioService]
    ) -> s.V1UserData:
        """Change the sent profile fields (the same profile /v4/user shows)."""
        return await meetario.update_me(data)

    @get("/me/availability", opt=access(pat_scope="availability:read"))
    async def get_user_me_availability(
        self, meetario: NamedDependency[MeetarioService]
    ) -> s.V1WeeklyAvailabilityData:
        """The default availability's week, one start and end per day (a day with breaks
        shows its first start and last end)."""
        return await meetario.weekly_availability()

    @put("/me/availability", opt=access(pat_scope="availability:write"))
    async def replace_user_me_availability(
        self,
        data: JSONBody[s.V1WeeklyAvailabilityReplace],
        meetario: NamedDependency[MeetarioService],
    ) -> s.V1WeeklyAvailabilityData:
        """Replace the default availability's week (days left out are off); a user without
        one gets one."""
        return await meetario.replace_availability(data)


class MeetarioEventTypeController(Controller):
    path = "/api/v1/event_types"
    tags = ["meetario"]
    dependencies = DEPENDENCIES

    @get("/", opt=access(pat_scope="event_types:read"))
    async def list_event_types(
        self,
        *,
        meetario: NamedDependency[MeetarioService],
        page: Page = 1,
        limit: Limit = 20,
        active: FromQuery[bool | None] = None,
        sort_by: SortBy = None,
        updated_since: UpdatedSince = None,
        cursor: Cursor = None,
    ) -> s.V1EventTypeList:
        """The acting user's event types, oldest first; `active` filters by status. With
        `sort_by=updated_at`, oldest change first, polled with `updated_since` and each
        answer's `next_cursor` as `cursor`."""
        poll = Poll(sort_by and "updatedAt", updated_since, cursor)
        return await meetario.event_types(page, limit, active, poll)

    @get("/{meeting_type_id:str}", opt=access(pat_scope="event_types:read"))
    async def get_event_type(
        self, meeting_type_id: FromPath[str], meetario: NamedDependency[MeetarioService]
    ) -> s.V1EventTypeData:
        """One event type, by its integer id or its `et_…` id."""
        return await meetario.event_type(meeting_type_id)

    @post("/", status_code=201, opt=access(pat_scope="event_types:write"))
    async def create_event_type(
        self, data: JSONBody[s.V1EventTypeCreate], meetario: NamedDependency[MeetarioService]
    ) -> s.V1EventTypeData:
        """Create an event type for the acting user: a /v4 meeting type, shown as the sheet
        shows it (the same shape as `GET /api/v1/event_types/{id}`)."""
        return await meetario.create_event_type(data)

    @patch("/{meeting_type_id:str}", opt=access(pat_scope="event_types:write"))
    async def update_event_type(
        self,
        meeting_type_id: FromPath[str],
        data: JSONBody[s.V1EventTypeUpdate],
        meetario: NamedDependency[MeetarioService],
    ) -> s.V1EventTypeData:
        """Change the fields sent; `is_active: false` stops new bookings."""
        return await meetario.update_event_type(meeting_type_id, data)

    @delete("/{meeting_type_id:str}", status_code=200, opt=access(pat_scope="event_types:write"))
    async def delete_event_type(
        self, meeting_type_id: FromPath[str], meetario: NamedDependency[MeetarioService]
    ) -> s.V1Message:
        """Delete an event type (its past events keep naming it)."""
        return await meetario.delete_event_type(meeting_type_id)

    @get("/{meeting_type_id:str}/availability", opt=access(pat_scope="event_types:read"))
    async def get_event_type_availability(
        self,
        meeting_type_id: FromPath[str],
        meetario: NamedDependency[MeetarioService],
        start_date: FromQuery[date],
        end_date: FromQuery[date | None] = None,
    ) -> s.V1Availability:
        """Bookable slots per day of `[start_date, end_date]` (end defaults to start), in the
        event type's zone; at most 62 days."""
        return await meetario.availability(meeting_type_id, start_date, end_date)


class MeetarioEventController(Controller):
    path = "/api/v1/events"
    tags = ["meetario"]
    dependencies = DEPENDENCIES

    @get("/", opt=access(pat_scope="events:read"))
    async def list_events(
        self,
        *,
        meetario: NamedDependency[MeetarioService],
        page: Page = 1,
        limit: Limit = 20,
        status: FromQuery[Literal["pending", "confirmed", "cancelled", "completed"] | None] = None,
        event_type: Annotated[str | None, QueryParameter(max_length=40)] = None,
        sort_by: SortBy = None,
        updated_since: UpdatedSince = None,
        cursor: Cursor = None,
    ) -> s.V1EventList:
        """The acting user's events by start; `completed` is confirmed and over. With
        `sort_by=updated_at`, oldest change first (cancellations included), polled with
        `updated_since` and each answer's `next_cursor` as `cursor`."""
        poll = Poll(sort_by and "updatedAt", updated_since, cursor)
        return await meetario.events(EventFilter(page, limit, status, event_type, poll))

    @get("/{appointment_id:str}", opt=access(pat_scope="events:read"))
    async def get_event(
        self, appointment_id: FromPath[str], meetario: NamedDependency[MeetarioService]
    ) -> s.V1EventData:
        """One event, by its integer id or its `evt_…` id."""
        return await meetario.event(appointment_id)

    @post("/", status_code=201, opt=access(pat_scope="events:write"))
    async def create_event(
        self, data: JSONBody[s.V1EventCreate], meetario: NamedDependency[MeetarioService]
    ) -> s.V1EventData:
        """Book a slot of an event type (`pending` when the type requires approval)."""
        return await meetario.create_event(data)

    @post("/{appointment_id:str}/cancel", status_code=200, opt=access(pat_scope="events:write"))
    async def cancel_event(
        self,
        appointment_id: FromPath[str],
        data: JSONBody[s.V1EventCancel],
        meetario: NamedDependency[MeetarioService],
    ) -> s.V1EventData:
        """Cancel an event (for all its attendees); its slot is free again."""
        return await meetario.cancel_event(appointment_id, data)

    @post("/{appointment_id:str}/reschedule", status_code=200, opt=access(pat_scope="events:write"))
    async def reschedule_event(
        self,
        appointment_id: FromPath[str],
        data: JSONBody[s.V1EventReschedule],
        meetario: NamedDependency[MeetarioService],
    ) -> s.V1EventData:
        """Move an event to another listed slot of its event type."""
        return await meetario.reschedule_event(appointment_id, data)


class MeetarioWebhookController(Controller):
    """Company-level like /v4's webhooks: a token needs the scope and an admin or owner (an
    endpoint receives every booking of the company)."""

    path = "/api/v1/webhooks"
    tags = ["meetario"]
    dependencies = {"meetario_webhooks": Provide(provide_meetario_webhooks)}

    @get("/", opt=access(company=True, pat_scope="webhooks:read", admin=True))
    async def list_meetario_webhooks(
        self,
        meetario_webhooks: NamedDependency[MeetarioWebhookService],
        sort_by: SortBy = None,
        updated_since: UpdatedSince = None,
        cursor: Cursor = None,
    ) -> s.V1WebhookList:
        """The company's webhooks, oldest first (secrets masked). With `sort_by=updated_at`,
        oldest change first, 20 at a time, polled with `updated_since` and each answer's
        `next_cursor` as `cursor`."""
        return await meetario_webhooks.list(Poll(sort_by and "updatedAt", updated_since, cursor))

    @get("/{webhook_id:str}", opt=access(company=True, pat_scope="webhooks:read", admin=True))
    async def get_meetario_webhook(
        self, webhook_id: FromPath[str], meetario_webhooks: NamedDependency[MeetarioWebhookService]
    ) -> s.V1WebhookData:
        """One webhook, by its integer id or its `wh_…` id."""
        return await meetario_webhooks.get(webhook_id)

    @post("/", status_code=201, opt=access(company=True, pat_scope="webhooks:write", admin=True))
    async def create_meetario_webhook(
        self,
        data: JSONBody[s.V1WebhookCreate],
        meetario_webhooks: NamedDependency[MeetarioWebhookService],
    ) -> s.V1WebhookData:
        """Subscribe an https URL to events; the answer holds the signing secret in full, the
        only time it is shown. Deliveries are signed as Standard Webhooks
        (`webhook-id`, `webhook-timestamp`, `webhook-signature`)."""
        return await meetario_webhooks.create(data)

    @patch("/{webhook_id:str}", opt=access(company=True, pat_scope="webhooks:write", admin=True))
    async def update_meetario_webhook(
        self,
        webhook_id: FromPath[str],
        data: JSONBody[s.V1WebhookUpdate],
        meetario_webhooks: NamedDependency[MeetarioWebhookService],
    ) -> s.V1WebhookData:
        """Change the fields sent; `status: active` turns a paused or disabled webhook on."""
        return await meetario_webhooks.update(webhook_id, data)

    @delete(
        "/{webhook_id:str}",
        status_code=200,
        opt=access(company=True, pat_scope="webhooks:write", admin=True),
    )
    async def delete_meetario_webhook(
        self, webhook_id: FromPath[str], meetario_webhooks: NamedDependency[MeetarioWebhookService]
    ) -> s.V1Message:
        """Delete a webhook and its delivery log."""
        return await meetario_webhooks.delete(webhook_id)

    @post(
        "/{webhook_id:str}/test",
        status_code=200,
        opt=access(company=True, pat_scope="webhooks:write", admin=True),
    )
    async def test_meetario_webhook(
        self, webhook_id: FromPath[str], meetario_webhooks: NamedDependency[MeetarioWebhookService]
    ) -> s.V1WebhookTest:
        """Send a signed `webhook.test` event now, whatever the webhook's status, and say how
        the endpoint answered (a failure is a 200 too, with `status: failed`)."""
        return await meetario_webhooks.test(webhook_id)
