"""Settings read once from the environment into a frozen, typed object."""

import logging
from collections.abc import Mapping
from typing import Literal

import msgspec

from slotwise.kit.clientaddr import parse_networks
from slotwise.kit.sealing import Keyring
from slotwise.kit.smtp import parse_mailbox, parse_smtp_url
from slotwise.kit.state import StateKey

PREFIX = "SLOTWISE_"
UNPREFIXED = ("DATABASE_URL", "REDIS_URL")
#: the shortest accepted SLOTWISE_METRICS_TOKEN
MIN_METRICS_TOKEN = 16


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    database_url: str | None = None
    redis_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = msgspec.field(default=8000)
    data_dir: str = ".slotwise"
    max_body_bytes: int = 1_048_576
    argon2_profile: Literal["rfc9106", "cheapest"] = "rfc9106"
    rate_limit_enabled: bool = True
    rate_limit_per_minute: int = 100
    rate_limit_burst: int = 200
    #: the /api/v1 (Meetario) surface's fixed limits: per second and per minute per credential
    #: (or client address), per hour and per day per company
    meetario_rate_limit_per_second: int = 10
    meetario_rate_limit_per_minute: int = 100
    meetario_rate_limit_per_hour: int = 1000
    meetario_rate_limit_per_day: int = 10000
    trusted_proxies: str = ""
    auth_failures_per_credential: int = 10
    auth_failures_per_address: int = 30
    auth_failure_window_seconds: int = 60
    auth_cache_size: int = 10_000
    #: seconds a process may authenticate from a credential it read before instead of reading
    #: it again; only while it hears PostgreSQL's notices of credential and user changes
    #: (`auth.credential_cache`). Off by default: a revocation made in another process then
    #: applies once the notice arrives (milliseconds), not strictly on the next request
    credential_cache_seconds: int = 0
    #: a direct PostgreSQL URL for those notices when DATABASE_URL reaches PgBouncer, which
    #: cannot carry LISTEN; unset there, no credential is kept
    listen_database_url: str | None = None
    slot_cache_size: int = 256
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: one JSON object per line, or text for a person to read; unset: text under `slotwise
    #: dev`, JSON everywhere else
    log_format: Literal["json", "text"] | None = None
    #: a span per request, sent over OTLP to the collector of the standard OTEL_EXPORTER_OTLP_*
    #: variables; off: no tracer, exporter or middleware (and the SDK is not imported)
    otel_enabled: bool = False
    db_pool_size: int = 20
    db_echo: bool = False
    #: the database is reached through PgBouncer in transaction pooling: no statement is kept
    #: prepared between transactions, which may each run on another server connection
    db_pgbouncer: bool = False
    provisional_ttl_minutes: int = 1440
    webhook_max_endpoints: int = 20
    #: caps on what a tenant can pile up; one more is 406 `limit_reached` (the lists they
    #: bound are answered whole)
    max_meeting_types_per_user: int = 200
    max_exceptions_per_availability: int = 1000
    max_api_keys_per_company: int = 50
    max_personal_access_tokens_per_user: int = 50
    webhook_allow_private_networks: bool = False
    #: lets logo imports use plain http and private addresses (development and tests only)
    image_import_allow_private_networks: bool = False
    #: lets calendar connections use plain http and private addresses (development and tests)
    calendar_allow_private_networks: bool = False
    #: how often the worker syncs each connected calendar
    calendar_sync_seconds: int = 60
    #: busy time copied longer ago is stale: a slot request tries a sync first and, failing
    #: that, answers from the copy with `calendarsStale: true`
    calendar_stale_seconds: int = 300
    #: how long a slot request waits for that sync
    calendar_sync_wait_ms: int = 1500
    #: OAuth apps for Google and Microsoft calendars; unset: their connect routes answer 400
    google_client_id: str | None = None
    google_client_secret: str | None = None
    microsoft_client_id: str | None = None
    microsoft_client_secret: str | None = None
    webhook_disable_after_hours: int = 120
    webhook_secret_overlap_hours: int = 24
    webhook_lease_margin_seconds: int = 30
    webhook_relay_seconds: int = 5
    worker_max_jobs: int = 50
    #: how many webhook attempts of one company a worker sends at a time, so a slow tenant with
    #: many endpoints cannot take every job slot
    webhook_max_concurrent_per_company: int = 10
    #: where mail goes: smtp://user:pass@host:port, smtps://… or …?starttls=true; unset: none is
    #: sent (notifications are recorded as skipped)
    smtp_url: str | None = None
    mail_from: str = "slotwise <no-reply@localhost.localdomain>"
    #: how long a worker holds a mail it sends; one silent for longer is taken for dead and the
    #: mail is sent again (with the same Message-ID)
    mail_lease_seconds: int = 90
    #: keys sealing stored secrets (webhook signing secrets), comma-separated, newest first:
    #: each 32 bytes in URL-safe base64 (`slotwise secrets new-key`); see `require_secret_keys`
    secret_keys: str = ""
    #: days finished rows are kept: webhook deliveries (with their attempts), mails, audit log
    webhook_delivery_retention_days: int = 30
    notification_retention_days: int = 90
    audit_log_retention_days: int = 365
    #: days the change log behind `GET /v4/changes` is kept (a poller's cursor stays valid)
    change_log_retention_days: int = 30
    #: the bearer token `GET /metrics` answers to; unset, /metrics is 404 and nothing is exported
    metrics_token: str | None = None
    #: a port on which the worker serves its own /metrics (to the same token); unset: none
    worker_metrics_port: int | None = None
    #: after SIGTERM, how long `serve` finishes requests in flight and the worker its jobs
    #: before they are cut short (below Kubernetes' default 30 s grace period)
    shutdown_timeout_seconds: int = 25

    def __post_init__(self) -> None:
        self._check_webhooks()
        if not 1 <= self.port <= 65535:
            raise SettingsError("SLOTWISE_PORT: must be between 1 and 65535")
        if self.rate_limit_per_minute < 1 or self.rate_limit_burst < 1:
            raise SettingsError("SLOTWISE_RATE_LIMIT_PER_MINUTE / _BURST: must be at least 1")
        try:
            parse_networks(self.trusted_proxies)
        except ValueError as exc:
            raise SettingsError(f"SLOTWISE_TRUSTED_PROXIES: {exc}") from exc
        if self.max_body_bytes < 1024:
            raise SettingsError("SLOTWISE_MAX_BODY_BYTES: must be at least 1024")
        if self.provisional_ttl_minutes < 1:
            raise SettingsError("SLOTWISE_PROVISIONAL_TTL_MINUTES: must be at least 1")
        if self.db_pool_size < 1:
            raise SettingsError("SLOTWISE_DB_POOL_SIZE: must be at least 1")
        for name, url, schemes in (
            ("DATABASE_URL", self.database_url, ("postgresql", "postgres", "postgresql+asyncpg")),
            ("REDIS_URL", self.redis_url, ("redis", "rediss", "unix")),
        ):
            if url is not None and url.partition("://")[0] not in schemes:
                raise SettingsError(f"{name}: expected a URL starting with {schemes[0]}://")
        if not self.public_url.startswith(("http://", "https://")):
            raise SettingsError("SLOTWISE_PUBLIC_URL: expected an http:// or https:// URL")
        self._check_mail()
        self._check_secret_keys()
        self._check_metrics()

    def _check_mail(self) -> None:
        for name, value, parse in (
            ("SMTP_URL", self.smtp_url, parse_smtp_url),
            ("MAIL_FROM", self.mail_from, parse_mailbox),
        ):
            try:
                if value is not None:
                    parse(value)
            except ValueError as exc:
                raise SettingsError(f"{PREFIX}{name}: {exc}") from exc

    def _check_metrics(self) -> None:
        if self.metrics_token is not None and len(self.metrics_token) < MIN_METRICS_TOKEN:
            raise SettingsError(
                f"{PREFIX}METRICS_TOKEN: must be at least {MIN_METRICS_TOKEN} characters"
            )
        if self.worker_metrics_port is None:
            return
        if not 1 <= self.worker_metrics_port <= 65535:
            raise SettingsError(f"{PREFIX}WORKER_METRICS_PORT: must be between 1 and 65535")
        if self.metrics_token is None:  # metrics are never served to anyone who asks
            raise SettingsError(f"{PREFIX}WORKER_METRICS_PORT: needs {PREFIX}METRICS_TOKEN")

    def _check_secret_keys(self) -> None:
        try:
            Keyring.parse(self.secret_keys)
        except ValueError as exc:  # names the key by position, never shows it
            raise SettingsError(f"{PREFIX}SECRET_KEYS: {exc}") from None

    def _check_webhooks(self) -> None:
        for name, value, least in (
            ("WEBHOOK_MAX_ENDPOINTS", self.webhook_max_endpoints, 1),
            ("MEETARIO_RATE_LIMIT_PER_SECOND", self.meetario_rate_limit_per_second, 1),
            ("MEETARIO_RATE_LIMIT_PER_MINUTE", self.meetario_rate_limit_per_minute, 1),
            ("MEETARIO_RATE_LIMIT_PER_HOUR", self.meetario_rate_limit_per_hour, 1),
            ("MEETARIO_RATE_LIMIT_PER_DAY", self.meetario_rate_limit_per_day, 1),
            ("MAX_MEETING_TYPES_PER_USER", self.max_meeting_types_per_user, 1),
            ("MAX_EXCEPTIONS_PER_AVAILABILITY", self.max_exceptions_per_availability, 1),
            ("MAX_API_KEYS_PER_COMPANY", self.max_api_keys_per_company, 1),
            ("MAX_PERSONAL_ACCESS_TOKENS_PER_USER", self.max_personal_access_tokens_per_user, 1),
            ("WEBHOOK_DISABLE_AFTER_HOURS", self.webhook_disable_after_hours, 1),
            ("WEBHOOK_SECRET_OVERLAP_HOURS", self.webhook_secret_overlap_hours, 0),
            ("WEBHOOK_LEASE_MARGIN_SECONDS", self.webhook_lease_margin_seconds, 1),
            ("WORKER_MAX_JOBS", self.worker_max_jobs, 1),
            ("WEBHOOK_MAX_CONCURRENT_PER_COMPANY", self.webhook_max_concurrent_per_company, 1),
            ("MAIL_LEASE_SECONDS", self.mail_lease_seconds, 1),
            ("WEBHOOK_DELIVERY_RETENTION_DAYS", self.webhook_delivery_retention_days, 1),
            ("NOTIFICATION_RETENTION_DAYS", self.notification_retention_days, 1),
            ("AUDIT_LOG_RETENTION_DAYS", self.audit_log_retention_days, 1),
            ("CHANGE_LOG_RETENTION_DAYS", self.change_log_retention_days, 1),
            ("SHUTDOWN_TIMEOUT_SECONDS", self.shutdown_timeout_seconds, 1),
            ("CREDENTIAL_CACHE_SECONDS", self.credential_cache_seconds, 0),
            ("CALENDAR_SYNC_SECONDS", self.calendar_sync_seconds, 10),
            ("CALENDAR_STALE_SECONDS", self.calendar_stale_seconds, 30),
            ("CALENDAR_SYNC_WAIT_MS", self.calendar_sync_wait_ms, 0),
        ):
            if value < least:
                raise SettingsError(f"{PREFIX}{name}: must be at least {least}")
        if not 1 <= self.webhook_relay_seconds <= 60 or 60 % self.webhook_relay_seconds:
            raise SettingsError(f"{PREFIX}WEBHOOK_RELAY_SECONDS: must divide 60 (1, 2, 5, 10, …)")

    @property
    def notices_url(self) -> str | None:
        """Where to LISTEN for notices (plain `postgresql://`), or None when nothing may."""
        url = self.listen_database_url or (None if self.db_pgbouncer else self.database_url)
        if url is None:
            return None
        scheme, sep, rest = url.partition("://")
        return f"postgresql{sep}{rest}" if scheme.startswith("postgres") else url

    def keyring(self) -> Keyring:
        """The keys of `SLOTWISE_SECRET_KEYS` (checked when the settings were made)."""
        return Keyring.parse(self.secret_keys)

    @property
    def async_database_url(self) -> str:
        """The database URL with the asyncpg driver, whatever form was configured."""
        if self.database_url is None:
            raise SettingsError("DATABASE_URL: not set")
        return to_asyncpg_url(self.database_url)


def to_asyncpg_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+asyncpg{sep}{rest}"
    return url


def env_name(field: str) -> str:
    upper = field.upper()
    return upper if upper in UNPREFIXED else PREFIX + upper


def load_settings(environ: Mapping[str, str], **overrides: object) -> Settings:
    """Build Settings from environment variables; raise SettingsError naming the bad variable."""
    raw: dict[str, object] = {}
    for info in msgspec.structs.fields(Settings):
        value = environ.get(env_name(info.name))
        if value is not None and value != "":
            raw[info.name] = value
    raw.update(overrides)
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = message.rpartition("$.")[2].rstrip("`")
        known = {info.name for info in msgspec.structs.fields(Settings)}
        if field not in known:
            raise SettingsError(message) from exc
        detail = message.split(" - at ", maxsplit=1)[0]
        raise SettingsError(f"{env_name(field)}: {detail}") from exc


SETTINGS = StateKey("settings", Settings)
KEYRING = StateKey("keyring", Keyring)


def require_secret_keys(settings: Settings) -> None:
    """Refuse to run a server or worker that could not read or write stored secrets.

    There is no development mode to fall back on: `slotwise dev` (and other commands using its
    data folder's servers) take the key it keeps in that folder, the tests set one, and every
    other run (`serve`, `worker`, the ASGI factory) must be given SLOTWISE_SECRET_KEYS.
    """
    if not settings.secret_keys.strip():
        raise SettingsError(
            f"{PREFIX}SECRET_KEYS: not set; stored secrets cannot be sealed or read without it"
            " (make a key with `slotwise secrets new-key`)"
        )


def warn_about_settings(settings: Settings) -> None:
    """Log each development-only setting that is on, and mail being off (the app and the
    worker call it at start)."""
    log = logging.getLogger("slotwise.settings")
    if settings.smtp_url is None:
        log.warning("SLOTWISE_SMTP_URL is not set: no mail is sent (notifications are skipped)")
    if settings.webhook_allow_private_networks:
        log.warning(
            "SLOTWISE_WEBHOOK_ALLOW_PRIVATE_NETWORKS is on: webhooks may be sent over plain http "
            "and to private, loopback and link-local addresses (development and tests only)"
        )
    if settings.calendar_allow_private_networks:
        log.warning(
            "SLOTWISE_CALENDAR_ALLOW_PRIVATE_NETWORKS is on: calendars may be read over plain http "
            "and from private, loopback and link-local addresses (development and tests only)"
        )
    if settings.image_import_allow_private_networks:
        log.warning(
            "SLOTWISE_IMAGE_IMPORT_ALLOW_PRIVATE_NETWORKS is on: logos may be imported over plain "
            "http and from private, loopback and link-local addresses (development and tests only)"
        )
