"""The one wiring file: create_app(settings) builds the Litestar application."""

import gc
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from redis.asyncio import Redis

from slotwise.auth.access import provide_principal
from slotwise.auth.hashing import build_hasher
from slotwise.auth.middleware import AuthMiddleware
from slotwise.auth.verifier import Verifier
from slotwise.availability.controller import AvailabilityController
from slotwise.bookings.controller import (
    AppointmentController,
    BookingController,
    ProvisionalBookingController,
)
from slotwise.credentials.controller import ApiKeyController, PersonalAccessTokenController
from slotwise.db.session import create_engine, create_sessionmaker, provide_transaction
from slotwise.jobs import job_queue
from slotwise.kit.logs import configure_logging
from slotwise.meeting_types.controller import MeetingTypeController
from slotwise.public.controller import InviteeAppointmentController, PublicBookingPageController
from slotwise.ratelimit.failures import AuthFailureGate
from slotwise.ratelimit.limiter import RateLimiter
from slotwise.ratelimit.middleware import default_policy, rate_limit_middleware
from slotwise.ratelimit.policies import CompanyPolicies
from slotwise.settings import Settings, load_settings
from slotwise.slots.cache import SlotCache
from slotwise.slots.controller import SlotController
from slotwise.users.controller import UserController
from slotwise.web import docs
from slotwise.web.error_handlers import exception_handlers
from slotwise.web.health import HealthController
from slotwise.web.json_bodies import require_json
from slotwise.web.request_id import add_request_id
from slotwise.webhooks.controller import V4WebhookController, WebhookController
from slotwise.webhooks.sender import Sender, warn_if_private_networks_allowed

#: Redis carries rate limits and job wake-ups; when it hangs, requests must not hang with it
REDIS_TIMEOUT_SECONDS = 0.5


async def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def create_app(settings: Settings) -> Litestar:
    """Build the application; engine and Redis live for the app's lifespan."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        engine = create_engine(settings)
        redis: Redis = Redis.from_url(
            settings.redis_url or "redis://127.0.0.1:6379/0",
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.redis = redis
        app.state.job_queue = job_queue(redis)
        app.state.webhook_sender = Sender(allow_private=settings.webhook_allow_private_networks)
        app.state.rate_limiter = RateLimiter(redis)
        app.state.rate_policies = CompanyPolicies(default_policy(settings))
        app.state.slot_cache = SlotCache(settings.slot_cache_size)
        app.state.verifier = Verifier(
            build_hasher(settings.argon2_profile),
            cache_size=settings.auth_cache_size,
            failures=AuthFailureGate(
                app.state.rate_limiter,
                per_credential=settings.auth_failures_per_credential,
                per_address=settings.auth_failures_per_address,
                window_seconds=settings.auth_failure_window_seconds,
            ),
        )
        try:
            yield
        finally:
            await app.state.webhook_sender.aclose()
            await redis.aclose()
            await engine.dispose()

    return Litestar(
        route_handlers=[
            HealthController,
            UserController,
            ApiKeyController,
            PersonalAccessTokenController,
            AvailabilityController,
            MeetingTypeController,
            PublicBookingPageController,
            SlotController,
            WebhookController,
            V4WebhookController,
            BookingController,
            AppointmentController,
            ProvisionalBookingController,
            InviteeAppointmentController,
            *docs.routes,
        ],
        lifespan=[lifespan],
        dependencies={
            "db": Provide(provide_transaction),
            "principal": Provide(provide_principal),
            "settings": Provide(provide_settings),
        },
        middleware=[
            DefineMiddleware(
                AuthMiddleware, exclude_from_auth_key="exclude_from_auth", exclude=[r"^/schema"]
            ),
            rate_limit_middleware,  # inside authentication: it keys by the verified credential
        ],
        exception_handlers=exception_handlers,
        before_send=[add_request_id],
        before_request=require_json,
        openapi_config=docs.openapi_config(),
        request_max_body_size=settings.max_body_bytes,
        state=None,
        debug=False,
        on_startup=[
            lambda: configure_logging(settings.log_level),
            lambda: warn_if_private_networks_allowed(settings),
        ],
    )


def create_app_from_env() -> Litestar:
    """Factory for ASGI servers: settings come from the process environment.

    Everything built so far lives as long as the process, so it is moved out of the garbage
    collector's view: collections then scan only per-request objects (shorter pauses).
    """
    app = create_app(load_settings(os.environ))
    gc.freeze()
    return app
