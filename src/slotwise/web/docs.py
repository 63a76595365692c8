"""OpenAPI document and its pages: Swagger UI at /spec/v2 (meetergo's path) and under /schema.

The pages load Swagger UI and Redoc from the vendored files in ``slotwise/static`` (served at
/static), so they work offline and contact no other host.
"""

from pathlib import Path
from typing import Any

from litestar import MediaType, Request, get
from litestar.datastructures import CacheControlHeader
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, PathItem, Reference, SecurityScheme, Tag
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler, Method

from slotwise import __version__
from slotwise.web.document import DocumentConfig

STATIC_DIR = Path(__file__).parent.parent / "static"
STATIC_PATH = "/static"
_SWAGGER = f"{STATIC_PATH}/swagger"
_FAVICON = f"<link rel='icon' type='image/png' href='{_SWAGGER}/favicon-32x32.png'>"

SWAGGER = SwaggerRenderPlugin(
    path="/swagger",
    js_url=f"{_SWAGGER}/swagger-ui-bundle.js",
    css_url=f"{_SWAGGER}/swagger-ui.css",
    standalone_preset_js_url=f"{_SWAGGER}/swagger-ui-standalone-preset.js",
    favicon=_FAVICON,
)
REDOC = RedocRenderPlugin(
    path="/redoc",
    js_url=f"{STATIC_PATH}/redoc/redoc.standalone.js",
    google_fonts=False,
    favicon=_FAVICON,
)


KEY_SCHEME = "platformKey"
PAT_SCHEME = "personalAccessToken"


def operation_id(route_handler: HTTPRouteHandler, http_method: Method, path: list[Any]) -> str:
    """The handler's name in camelCase (`create_booking` → `createBooking`): handlers are named
    for what they do, so generated clients get method names that read well."""
    first, *rest = route_handler.handler_name.split("_")
    return first + "".join(word.title() for word in rest)


#: the document's sections, in the order a partner meets them
TAGS = [
    Tag(name=name, description=description)
    for name, description in (
        ("users", "Provision users (one call gives a live booking URL), read and change them"),
        ("availability", "Weekly schedules, exceptions and public holidays"),
        ("meeting-types", "What can be booked: duration, channel, rules, custom fields"),
        (
            "queues",
            "Team meeting types: round robin (whoever is free, in turn, by priority or equally)"
            " and collective (everyone together), with host groups",
        ),
        ("booking-availability", "Bookable start times across time zones"),
        (
            "calendar-connections",
            "Hosts' own calendars (CalDAV, ICS feeds): their events block slots, bookings are"
            " written into them",
        ),
        ("bookings", "Book a slot (never twice), with or without host confirmation"),
        ("appointments", "Read, cancel and reschedule appointments"),
        ("provisional-bookings", "Bookings that wait for the host or the attendee"),
        ("webhooks", "Signed, retried event deliveries to your endpoints"),
        ("privacy", "A user's data export and erasing an attendee from the bookings"),
        ("company", "The company's branding and notification settings"),
        ("api-keys", "The company's platform API keys"),
        ("personal-access-tokens", "A user's tokens for integrations (Zapier, CRM syncs)"),
        (
            "oauth",
            "OAuth 2.0 for third-party apps: register apps, sign users in to the consent page,"
            " see and end grants (the protocol: /.well-known/oauth-authorization-server)",
        ),
        (
            "changes",
            "Poll for what changed: every create, update and delete, with tombstones, in order",
        ),
        ("audit-log", "Who changed what through the API, and when (owners and admins)"),
        (
            "meetario",
            "The Meetario sheet's API at /api/v1: events, event types and their slots, the"
            " current user; snake_case, integer and prefixed ids, 1-based pages, its own error"
            " envelope (422 for validation). The same bookings as /v4.",
        ),
        ("public", "What booking pages and invitees' links call, without credentials"),
        ("health", "Liveness and readiness for orchestrators"),
    )
]


def openapi_config(webhooks: dict[str, PathItem | Reference] | None = None) -> DocumentConfig:
    """`webhooks`: the events endpoints receive (OpenAPI 3.1), from the layer that sends them."""
    return DocumentConfig(
        tags=TAGS,
        webhooks=webhooks,
        title="slotwise Platform API",
        version=__version__,
        description="Scheduling platform API, wire-compatible with the meetergo Platform API v4.",
        path="/schema",
        use_handler_docstrings=True,
        operation_id_creator=operation_id,
        render_plugins=[SWAGGER, REDOC, YamlRenderPlugin()],
        components=Components(
            security_schemes={
                KEY_SCHEME: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="ak_live:<uuid>:<secret>",
                    description=(
                        "A company's platform API key. It acts for the user named in"
                        " `x-meetergo-api-user-id`, or as the company's owner where the route"
                        " is about the company."
                    ),
                ),
                PAT_SCHEME: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="rgo-… or pat_…",
                    description=(
                        "A user's personal access token (`rgo-…` or `pat_…`, alike); its scopes"
                        " and the user's role decide what it may do. `scheduling` grants the"
                        " events, event_types, availability and webhooks scopes, `account` the"
                        " users scopes, and `X:write` grants `X:read`; never the reverse."
                    ),
                ),
            }
        ),
    )


@get("/spec/v2", media_type=MediaType.HTML, include_in_schema=False, exclude_from_auth=True)
async def swagger_ui(request: Request[Any, Any, Any]) -> bytes:
    """Swagger UI at meetergo's path."""
    return SWAGGER.render(request, request.app.openapi_schema.to_schema())


static_files = create_static_files_router(
    path=STATIC_PATH,
    directories=[STATIC_DIR],
    name="static",
    include_in_schema=False,
    opt={"exclude_from_auth": True},
    cache_control=CacheControlHeader(public=True, max_age=3600),
)

routes: list[ControllerRouterHandler] = [swagger_ui, static_files]
