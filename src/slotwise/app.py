"""The one wiring file: create_app(settings) builds the Litestar application."""

import asyncio
import contextlib
import gc
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from slotwise.audit.controller import AuditLogController
from slotwise.audit.recorder import record_audit_entry
from slotwise.auth.access import provide_principal
from slotwise.auth.credential_cache import CREDENTIAL_CACHE, CredentialCache, forget_after_writes
from slotwise.auth.hashing import build_hasher
from slotwise.auth.middleware import AuthMiddleware
from slotwise.auth.verifier import VERIFIER, Verifier
from slotwise.availability.controller import AvailabilityController
from slotwise.bookings.controller import (
    AppointmentController,
    BookingController,
    ProvisionalBookingController,
)
from slotwise.calendars.busy import CALENDAR_REFRESHER, Refresher, calendar_refresher
from slotwise.calendars.controller import (
    CalendarConnectionController,
    CalendarConnectLinkController,
)
from slotwise.changes.controller import ChangeController
from slotwise.companies.controller import CompanyBrandingController, CompanyNotificationsController
from slotwise.credentials.controller import ApiKeyController, PersonalAccessTokenController
from slotwise.db.session import (
    ENGINE,
    READ_SESSIONMAKER,
    SESSIONMAKER,
    UNIT_OF_WORK,
    UnitOfWork,
    create_engine,
    create_sessionmaker,
    provide_transaction,
)
from slotwise.feeds.controller import CalendarFeedController, CalendarFeedReadController
from slotwise.jobs import JOB_QUEUE, REDIS, JobQueue, job_queue
from slotwise.kit import metrics
from slotwise.kit.logs import configure_logging
from slotwise.kit.sealing import Keyring
from slotwise.meetario.controller import (
    MeetarioEventController,
    MeetarioEventTypeController,
    MeetarioUserController,
    MeetarioWebhookController,
)
from slotwise.meeting_types.controller import MeetingTypeController, OneTimeLinkController
from slotwise.notifications.queue import MAILS
from slotwise.oauth.controller import (
    OAuthClientController,
    OAuthGrantController,
    OAuthServerController,
    OAuthSignInController,
)
from slotwise.pages.controller import BookingPageController, assets, embed_script
from slotwise.privacy.controller import PrivacyController, UserExportController
from slotwise.public.controller import (
    AttendeeOptInController,
    HostDecisionController,
    InviteeAppointmentController,
    OneTimeLinkBookingController,
    PublicBookingPageController,
)
from slotwise.queues.controller import QueueController, QueueGroupController
from slotwise.ratelimit.failures import AuthFailureGate
from slotwise.ratelimit.limiter import RATE_LIMITER, RateLimiter
from slotwise.ratelimit.middleware import api_v1_policy, default_policy, rate_limit_middleware
from slotwise.ratelimit.policies import RATE_POLICIES, CompanyPolicies
from slotwise.settings import (
    KEYRING,
    SETTINGS,
    Settings,
    load_settings,
    require_secret_keys,
    warn_about_settings,
)
from slotwise.slots.cache import SLOT_CACHE, SlotCache
from slotwise.slots.controller import SlotController
from slotwise.users.controller import PersonalPageController, UserController
from slotwise.web import docs
from slotwise.web.access_log import install_access_log
from slotwise.web.allow import fix_allow_header, index_allowed_methods
from slotwise.web.error_handlers import exception_handlers
from slotwise.web.form_bodies import document_forms
from slotwise.web.health import HealthController
from slotwise.web.json_bodies import require_json
from slotwise.web.metrics import metrics_route, record_requests
from slotwise.web.request_id import add_request_id
from slotwise.web.responses import document_errors
from slotwise.web.tracing import tracing_plugins
from slotwise.webhooks.controller import V4WebhookController, WebhookController
from slotwise.webhooks.documentation import webhook_events
from slotwise.webhooks.queue import DELIVERIES
from slotwise.webhooks.sender import WEBHOOK_SENDER, Sender

#: Redis carries rate limits and job wake-ups; when it hangs, requests must not hang with it
REDIS_TIMEOUT_SECONDS = 0.5


async def provide_settings(state: State) -> Settings:
    return SETTINGS.of(state)


@dataclass(frozen=True)
class AppState:
    """Everything the app keeps for its lifespan, each under its owner's typed key."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    read_sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis
    job_queue: JobQueue
    webhook_sender: Sender
    rate_limiter: RateLimiter
    rate_policies: CompanyPolicies
    slot_cache: SlotCache
    verifier: Verifier
    credential_cache: CredentialCache
    keyring: Keyring
    unit_of_work: UnitOfWork
    calendar_refresher: Refresher

    def install(self, state: State) -> None:
        SETTINGS.put(state, self.settings)
        KEYRING.put(state, self.keyring)
        ENGINE.put(state, self.engine)
        SESSIONMAKER.put(state, self.sessionmaker)
        READ_SESSIONMAKER.put(state, self.read_sessionmaker)
        REDIS.put(state, self.redis)
        JOB_QUEUE.put(state, self.job_queue)
        WEBHOOK_SENDER.put(state, self.webhook_sender)
        RATE_LIMITER.put(state, self.rate_limiter)
        RATE_POLICIES.put(state, self.rate_policies)
        SLOT_CACHE.put(state, self.slot_cache)
        VERIFIER.put(state, self.verifier)
        CREDENTIAL_CACHE.put(state, self.credential_cache)
        UNIT_OF_WORK.put(state, self.unit_of_work)
        CALENDAR_REFRESHER.put(state, self.calendar_refresher)

    async def close(self) -> None:
        await self.webhook_sender.aclose()
        await self.redis.aclose()
        await self.engine.dispose()


def build_state(settings: Settings) -> AppState:
    """The long-lived objects of one app lifespan (connections open lazily, in its loop)."""
    engine = create_engine(settings)
    redis: Redis = Redis.from_url(
        settings.redis_url or "redis://127.0.0.1:6379/0",
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    rate_limiter = RateLimiter(redis)
    sessionmaker = create_sessionmaker(engine)
    return AppState(
        settings=settings,
        engine=engine,
        sessionmaker=sessionmaker,
        read_sessionmaker=create_sessionmaker(engine, reading=True),
        redis=redis,
        job_queue=job_queue(redis),
        webhook_sender=Sender(allow_private=settings.webhook_allow_private_networks),
        rate_limiter=rate_limiter,
        rate_policies=CompanyPolicies(default_policy(settings), api_v1=api_v1_policy(settings)),
        slot_cache=SlotCache(settings.slot_cache_size),
        verifier=Verifier(
            build_hasher(settings.argon2_profile),
            cache_size=settings.auth_cache_size,
            failures=AuthFailureGate(
                rate_limiter,
                per_credential=settings.auth_failures_per_credential,
                per_address=settings.auth_failures_per_address,
                window_seconds=settings.auth_failure_window_seconds,
            ),
        ),
        credential_cache=CredentialCache(
            settings.credential_cache_seconds, size=settings.auth_cache_size
        ),
        keyring=settings.keyring(),
        unit_of_work=UnitOfWork(record_audit_entry, after_commit=(forget_after_writes,)),
        calendar_refresher=calendar_refresher(settings, sessionmaker),
    )


def create_app(settings: Settings) -> Litestar:
    """Build the application; its state (engine, Redis…) lives for the app's lifespan."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncGenerator[None, None]:
        state = build_state(settings)
        state.install(app.state)
        notices_url = settings.notices_url if settings.credential_cache_seconds else None
        listening = (
            asyncio.create_task(state.credential_cache.listen(notices_url)) if notices_url else None
        )
        try:
            yield
        finally:
            if listening is not None:
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listening
            await state.close()
            metrics.process_exited()

    app = Litestar(
        route_handlers=[
            HealthController,
            metrics_route({"webhook": DELIVERIES, "mail": MAILS}),
            UserController,
            PersonalPageController,
            UserExportController,
            PrivacyController,
            CompanyBrandingController,
            CompanyNotificationsController,
            ApiKeyController,
            PersonalAccessTokenController,
            AvailabilityController,
            CalendarConnectionController,
            QueueController,
            QueueGroupController,
            CalendarConnectLinkController,
            MeetingTypeController,
            OneTimeLinkController,
            PublicBookingPageController,
            OneTimeLinkBookingController,
            SlotController,
            WebhookController,
            V4WebhookController,
            BookingController,
            AppointmentController,
            ProvisionalBookingController,
            InviteeAppointmentController,
            HostDecisionController,
            AttendeeOptInController,
            MeetarioUserController,
            MeetarioEventTypeController,
            MeetarioEventController,
            MeetarioWebhookController,
            AuditLogController,
            OAuthClientController,
            OAuthGrantController,
            OAuthSignInController,
            OAuthServerController,
            CalendarFeedController,
            CalendarFeedReadController,
            ChangeController,
            *docs.routes,
            assets,
            embed_script,
            BookingPageController,
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
        before_send=[add_request_id, fix_allow_header],
        before_request=require_json,
        openapi_config=docs.openapi_config(webhooks=webhook_events()),
        request_max_body_size=settings.max_body_bytes,
        state=None,
        debug=False,
        logging_config=None,  # ours (kit.logs), set up at startup like the worker's
        plugins=tracing_plugins(settings),
        on_startup=[
            lambda: configure_logging(settings.log_level, settings.log_format or "json"),
            lambda: warn_about_settings(settings),
        ],
    )
    install_access_log(app)
    document_errors(app)
    document_forms(app)
    index_allowed_methods(app)
    if settings.metrics_token is not None:
        record_requests(app)
    return app


def create_app_from_env() -> Litestar:
    """Factory for ASGI servers: settings come from the process environment.

    Everything built so far lives as long as the process, so it is moved out of the garbage
    collector's view: collections then scan only per-request objects (shorter pauses). A
    server started without SLOTWISE_SECRET_KEYS stops here.
    """
    settings = load_settings(os.environ)
    require_secret_keys(settings)
    app = create_app(settings)
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return app


#: the collector's thresholds in a server process. By default a collection runs every 700 new
#: container objects, and an uncached slot answer alone makes thousands (its busy rows, slots
#: and their wire values), so it paid for several collections over objects that die with the
#: request anyway: 9 % of its CPU time, measured. Cycles are still collected, only less often,
#: so memory held by garbage stays bounded (tens of thousands of objects, a few megabytes).
GC_THRESHOLDS = (50_000, 20, 100)
