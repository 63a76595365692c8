"""Every writing route's audit action, by handler name: a stable `<resource>.<verb>` and where
the resource's id comes from. `tests/audit/test_actions.py` holds that every writing route has
one, so a new route cannot go unrecorded."""

from dataclasses import dataclass
from typing import Literal, get_args

from slotwise.models import (
    Appointment,
    Availability,
    AvailabilityException,
    CalendarConnection,
    CalendarFeed,
    Credential,
    MeetingType,
    OAuthClient,
    OAuthSignIn,
    OneTimeLink,
    Queue,
    QueueUserGroup,
    TenantModel,
    User,
    WebhookEndpoint,
)

ResourceType = Literal[
    "api_key",
    "appointment",
    "availability",
    "availability_exception",
    "calendar_connection",
    "calendar_feed",
    "company",
    "meeting_type",
    "oauth_client",
    "oauth_grant",
    "oauth_sign_in",
    "one_time_link",
    "personal_access_token",
    "queue",
    "queue_user_group",
    "user",
    "webhook",
    "webhook_delivery",
]
#: the `resourceType` filter's values
RESOURCE_TYPES: tuple[str, ...] = get_args(ResourceType)

#: the resource is the caller's company (branding, notification settings)
COMPANY = "@company"
#: the resource is the acting user (their personal page)
ACTOR = "@actor"


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    resource_type: ResourceType
    #: a path parameter's name, COMPANY, ACTOR, or the model whose row the request inserts
    #: (or, inserting none, the one it updates)
    id_from: str | type[TenantModel]
    #: how a public route's caller proves access (None: a credential does)
    link: str | None = None
    #: for a path id that is not a UUID (the integer ids of /api/v1): the model of the row
    #: the request loaded by it, whose UUID names the resource
    by_ref: type[TenantModel] | None = None


def _crud(resource: ResourceType, model: type[TenantModel], param: str) -> dict[str, Action]:
    return {
        f"create_{resource}": Action(f"{resource}.create", resource, model),
        f"update_{resource}": Action(f"{resource}.update", resource, param),
        f"delete_{resource}": Action(f"{resource}.delete", resource, param),
    }


def _booking(verb: str, param: str = "appointment_id", link: str | None = None) -> Action:
    return Action(f"booking.{verb}", "appointment", param, link)


ACTIONS: dict[str, Action] = {
    **_crud("user", User, "user_id"),
    **_crud("availability", Availability, "availability_id"),
    **_crud("meeting_type", MeetingType, "meeting_type_id"),
    **_crud("webhook", WebhookEndpoint, "webhook_id"),
    **_crud("calendar_connection", CalendarConnection, "connection_id"),
    "update_personal_page": Action("personal_page.update", "user", ACTOR),
    "update_user_me": Action("user.update", "user", ACTOR),
    # the user's default availability: the row the request changed (or made, when none was)
    "replace_user_me_availability": Action("availability.update", "availability", Availability),
    "update_company_branding": Action("company.branding_update", "company", COMPANY),
    "upload_company_logo": Action("company.logo_upload", "company", COMPANY),
    "delete_company_logo": Action("company.logo_delete", "company", COMPANY),
    "update_company_notifications": Action("company.notifications_update", "company", COMPANY),
    "create_api_key": Action("api_key.create", "api_key", Credential),
    "activate_api_key": Action("api_key.activate", "api_key", "key_id"),
    "deactivate_api_key": Action("api_key.deactivate", "api_key", "key_id"),
    "revoke_api_key": Action("api_key.revoke", "api_key", "key_id"),
    "create_personal_access_token": Action(
        "personal_access_token.create", "personal_access_token", Credential
    ),
    "revoke_personal_access_token": Action(
        "personal_access_token.revoke", "personal_access_token", "token_id"
    ),
    "create_availability_exception": Action(
        "availability_exception.create", "availability_exception", AvailabilityException
    ),
    "delete_availability_exception": Action(
        "availability_exception.delete", "availability_exception", "exception_id"
    ),
    "import_holiday_exceptions": Action(
        "availability.holidays_import", "availability", "availability_id"
    ),
    "rotate_webhook_secret": Action("webhook.rotate_secret", "webhook", "webhook_id"),
    "test_webhook": Action("webhook.test", "webhook", "webhook_id"),
    "redeliver_webhook_delivery": Action(
        "webhook_delivery.redeliver", "webhook_delivery", "delivery_id"
    ),
    "create_booking": Action("booking.create", "appointment", Appointment),
    "create_event": Action("booking.create", "appointment", Appointment),
    "cancel_event": _booking("cancel"),
    "reschedule_event": _booking("reschedule"),
    "create_event_type": Action("meeting_type.create", "meeting_type", MeetingType),
    "update_event_type": Action(
        "meeting_type.update", "meeting_type", "meeting_type_id", by_ref=MeetingType
    ),
    "delete_event_type": Action(
        "meeting_type.delete", "meeting_type", "meeting_type_id", by_ref=MeetingType
    ),
    "create_meetario_webhook": Action("webhook.create", "webhook", WebhookEndpoint),
    "update_meetario_webhook": Action(
        "webhook.update", "webhook", "webhook_id", by_ref=WebhookEndpoint
    ),
    "delete_meetario_webhook": Action(
        "webhook.delete", "webhook", "webhook_id", by_ref=WebhookEndpoint
    ),
    "test_meetario_webhook": Action(
        "webhook.test", "webhook", "webhook_id", by_ref=WebhookEndpoint
    ),
    "book_on_booking_page": Action("booking.create", "appointment", Appointment, "booking_page"),
    "book_with_one_time_link": Action(
        "booking.create", "appointment", Appointment, "one_time_link"
    ),
    "create_one_time_link": Action("one_time_link.create", "one_time_link", OneTimeLink),
    "cancel_appointment": _booking("cancel"),
    "reschedule_appointment": _booking("reschedule"),
    "delete_appointment": _booking("delete"),
    "confirm_provisional_booking": _booking("confirm", "provisional_booking_id"),
    "decline_provisional_booking": _booking("decline", "provisional_booking_id"),
    "cancel_own_appointment": _booking("cancel", link="invitee_link"),
    "reschedule_own_appointment": _booking("reschedule", link="invitee_link"),
    "confirm_booking_request": _booking("confirm", link="host_link"),
    "decline_booking_request": _booking("decline", link="host_link"),
    "confirm_booking_as_attendee": _booking("opt_in_confirm", link="attendee_link"),
    "connect_calendar_by_link": Action(
        "calendar_connection.create", "calendar_connection", CalendarConnection, "connect_link"
    ),
    **_crud("oauth_client", OAuthClient, "oauth_client_id"),
    "revoke_oauth_grant": Action("oauth_grant.revoke", "oauth_grant", "grant_id"),
    "create_oauth_sign_in": Action("oauth_sign_in.create", "oauth_sign_in", OAuthSignIn),
    # the protocol endpoints: the app (token, revoke) or the user's sign-in (consent) they used
    "decide_oauth_authorization": Action("oauth_grant.consent", "oauth_sign_in", OAuthSignIn),
    "issue_oauth_token": Action("oauth_grant.token", "oauth_client", OAuthClient),
    "revoke_oauth_token": Action("oauth_grant.revoke_token", "oauth_client", OAuthClient),
    "create_calendar_feed": Action("calendar_feed.create", "calendar_feed", CalendarFeed),
    "rotate_calendar_feed": Action("calendar_feed.rotate", "calendar_feed", CalendarFeed),
    "revoke_calendar_feed": Action("calendar_feed.revoke", "calendar_feed", CalendarFeed),
    "update_queue_of_meeting_type": Action("queue.update", "queue", Queue),
    "create_queue_user_group": Action(
        "queue_user_group.create", "queue_user_group", QueueUserGroup
    ),
    "update_queue_user_group": Action("queue_user_group.update", "queue_user_group", "group_id"),
    # the erased person is named by email, which an entry must not hold: the company is named
    "erase_attendee": Action("privacy.erase_attendee", "company", COMPANY),
}
