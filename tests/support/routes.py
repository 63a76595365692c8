"""The app's route table, for tests generated from it (auth matrix, tenant isolation)."""

import re
from dataclasses import dataclass

from httpx import Response
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from slotwise.auth.access import Access, access_of

_PARAM = re.compile(r"\{(\w+):\w+\}")
_QUERY_PARAM = re.compile(r"\{(\w+)\}")

#: the query string a route needs; `{name}` is filled like a path parameter
QUERIES: dict[str, str] = {
    "GET /v4/booking-availability": (
        "meetingTypeId={meeting_type_id}&start=2030-01-07&end=2030-01-13"
    ),
    "GET /api/v1/event_types/{meeting_type_id:str}/availability": "start_date=2030-01-07",
}
NOT_API = ("/schema", "/static", "/spec", "/health")
#: path parameters that name no resource (nothing of a company), filled with a fixed value
FIXED = {"provider": "google"}

#: a valid body for every route that takes one; a new writing route must be added here
BODIES: dict[str, object] = {
    "POST /v4/api-key": {"expiresInDays": 5, "name": "matrix"},
    "POST /v4/api-key/{key_id:uuid}/activate": None,
    "POST /v4/api-key/{key_id:uuid}/deactivate": None,
    "POST /v4/user": {
        "email": "matrix@example.test",
        "givenName": "Matrix",
        "familyName": "Person",
        "timezone": "Europe/Berlin",
    },
    "PATCH /v4/user/{user_id:uuid}": {"title": "Matrix"},
    "PATCH /v4/company/branding": {"primaryColor": "#123456"},
    "PATCH /v4/company/notifications": {"hostEmails": False},
    "PUT /v4/company/branding/logo": None,
    "PATCH /v4/personal-page/me": {"description": "Matrix"},
    "POST /v4/privacy/erase-attendee": {"email": "nobody@example.test"},
    "POST /v4/user/{user_id:uuid}/calendar-feed": None,
    "POST /v4/user/{user_id:uuid}/calendar-feed/rotate": None,
    "POST /v4/user/{user_id:uuid}/personal-access-token": {
        "name": "matrix",
        "scopes": ["scheduling"],
    },
    "POST /v4/availability": {"name": "Matrix", "timezone": "Europe/Berlin"},
    "PATCH /v4/availability/{availability_id:uuid}": {
        "name": "Matrix",
        "schedule": {"monday": {"enabled": True, "hours": [{"start": "08:00", "end": "12:00"}]}},
    },
    "POST /v4/availability/{availability_id:uuid}/exception": {
        "available": False,
        "start": "2030-02-01T09:00:00+01:00",
        "end": "2030-02-01T10:00:00+01:00",
        "title": "Matrix",
    },
    "PATCH /v4/availability/{availability_id:uuid}/holiday-exceptions": {
        "year": 2026,
        "country": "DE",
        "subdivision": "BY",
    },
    "POST /v4/one-time-booking-link/create/{meeting_type_id:uuid}": {"expiresInDays": 7},
    "POST /v4/meeting-type": {
        "meetingInfo": {"name": "Matrix", "duration": 30, "channel": "zoom", "description": ""}
    },
    "PATCH /v4/meeting-type/{meeting_type_id:uuid}": {
        "meetingInfo": {"duration": 45},
        "enabled": False,
    },
    "POST /v4/booking": {
        "meetingTypeId": "00000000-0000-7000-8000-000000000001",
        "start": "2030-01-07T10:00:00+01:00",
        "attendee": {"email": "matrix@example.test", "fullname": "Matrix Person"},
    },
    "POST /api/v1/events": {
        "event_type_id": "00000000-0000-7000-8000-000000000001",
        "attendee_email": "matrix@example.test",
        "attendee_name": "Matrix Person",
        "start_time": "2030-01-07T10:00:00+01:00",
    },
    "POST /api/v1/events/{appointment_id:str}/cancel": {"reason": "Matrix"},
    "POST /api/v1/events/{appointment_id:str}/reschedule": {
        "start_time": "2030-01-07T10:00:00+01:00"
    },
    "PATCH /api/v1/users/me": {"position": "Matrix"},
    "PUT /api/v1/users/me/availability": {
        # every day, so that each of them has a body to vary
        "availability": {
            str(day): {"enabled": day < 6, "start": "08:00", "end": "12:00"} for day in range(1, 8)
        },
        "timezone": "Europe/Berlin",
    },
    "POST /api/v1/event_types": {"name": "Matrix", "duration": 30, "location": "zoom_meeting"},
    "PATCH /api/v1/event_types/{meeting_type_id:str}": {"duration": 45, "is_active": False},
    "POST /api/v1/webhooks": {
        "name": "Matrix",
        "url": "https://hooks.example.test/matrix",
        "events": ["booking.created"],
    },
    "PATCH /api/v1/webhooks/{webhook_id:str}": {"name": "Matrix"},
    "POST /api/v1/webhooks/{webhook_id:str}/test": None,
    "POST /v4/calendar-connections": {
        "provider": "ics",
        "url": "https://calendar.example.test/matrix.ics",
    },
    "PATCH /v4/calendar-connections/{connection_id:uuid}": {"isPrimary": True},
    "PATCH /v4/queue/meeting-type/{meeting_type_id:uuid}": {"type": "equalDistribution"},
    "POST /v4/queue-user-group": {
        "queueId": "00000000-0000-7000-8000-000000000001",
        "name": "Matrix",
    },
    "PATCH /v4/queue-user-group/{group_id:uuid}": {"name": "Matrix"},
    "POST /v4/appointment/{appointment_id:uuid}/cancel": {"reason": "Matrix"},
    "POST /v4/appointment/{appointment_id:uuid}/reschedule": {"start": "2030-01-07T10:00:00+01:00"},
    "POST /v4/oauth/clients": {
        "name": "Matrix",
        "redirectUris": ["https://app.example.test/callback"],
        "scopes": ["scheduling"],
    },
    "PATCH /v4/oauth/clients/{oauth_client_id:uuid}": {"name": "Matrix"},
    "POST /v4/oauth/sign-ins": {"userId": "00000000-0000-7000-8000-000000000001"},
    "POST /v4/provisional-booking/{provisional_booking_id:uuid}/confirm": None,
    "POST /v4/provisional-booking/{provisional_booking_id:uuid}/decline": None,
    **{
        f"{method} {prefix}{path}": body
        for prefix in ("/webhooks", "/v4/webhooks")
        for method, path, body in (
            (
                "POST",
                "",
                {
                    "endpoint": "https://hooks.example.test/matrix",
                    "eventTypes": ["booking_created"],
                },
            ),
            ("PATCH", "/{webhook_id:uuid}", {"description": "Matrix"}),
            ("POST", "/{webhook_id:uuid}/rotate-secret", None),
            ("POST", "/{webhook_id:uuid}/test", None),
            ("POST", "/deliveries/{delivery_id:uuid}/redeliver", None),
        )
    },
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: HTTPRouteHandler

    @property
    def query(self) -> str:
        return QUERIES.get(str(self), "")

    @property
    def params(self) -> list[str]:
        """The ids the route needs (FIXED parameters are not ids)."""
        found = _PARAM.findall(self.path) + _QUERY_PARAM.findall(self.query)
        return [name for name in found if name not in FIXED]

    @property
    def access(self) -> Access:
        return access_of(self.handler.opt)

    def url(self, ids: dict[str, str]) -> str:
        missing = [p for p in self.params if p not in ids]
        assert not missing, f"{self.method} {self.path}: no test id for {missing}"
        path = _PARAM.sub(lambda m: FIXED.get(m.group(1)) or ids[m.group(1)], self.path)
        query = _QUERY_PARAM.sub(lambda m: ids[m.group(1)], self.query)
        return f"{path}?{query}" if query else path

    @property
    def body(self) -> object:
        if self.method not in {"POST", "PATCH", "PUT"}:
            return None
        assert str(self) in BODIES, f"{self}: add a valid body to tests/support/routes.py BODIES"
        return BODIES[str(self)]

    async def send(
        self, client: AsyncTestClient[Litestar], url: str, headers: dict[str, str]
    ) -> Response:
        """This route's request with its test body, to `url` (this path with ids filled in)."""
        return await client.request(self.method, url, headers=headers, json=self.body)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def authenticated_routes(app: Litestar) -> list[Route]:
    """Every route that needs a credential (public and docs routes left out)."""
    found = [
        Route(method, route.path, handler)
        for route in app.routes
        if isinstance(route, HTTPRoute) and not route.path.startswith(NOT_API)
        for handler in route.route_handlers
        if not handler.opt.get("exclude_from_auth")
        for method in handler.http_methods - {"OPTIONS", "HEAD"}
    ]
    return sorted(found, key=str)
