"""Webhook subscriptions of the caller's company: validation, limits, secrets, the delivery log,
redelivery and the test ping."""

import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.db.settled import next_cursor, polling_window
from slotwise.egress import policy
from slotwise.jobs import after_commit
from slotwise.kit.clock import utc_now
from slotwise.kit.errors import Conflict, FieldError, NotFound, ValidationFailed, check_limit
from slotwise.kit.pagination import DEFAULT_PAGE_SIZE
from slotwise.kit.polling import NO_POLL, Poll
from slotwise.kit.sealing import Keyring, SealError
from slotwise.models import (
    DeliveryStatus,
    EndpointStatus,
    PayloadFormat,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    uuid7,
)
from slotwise.settings import KEYRING, Settings
from slotwise.webhooks import schemas as s
from slotwise.webhooks import sealed_secrets, signing
from slotwise.webhooks.delivery import send_attempt
from slotwise.webhooks.events import (
    EVENT_ALIASES,
    MEETARIO_EVENTS,
    MEETARIO_PING,
    PING,
    SUBSCRIBABLE,
    deliver_wakeup,
    event_body,
    meetario_body,
    new_msg_id,
)
from slotwise.webhooks.repository import (
    AttemptRepository,
    DeliveryRepository,
    DeliveryRow,
    EndpointRepository,
    EventRepository,
)
from slotwise.webhooks.sender import WEBHOOK_SENDER, Sender, Sent
from slotwise.webhooks.views import attempt_view, delivery_view, webhook_view, with_secret

log = logging.getLogger("slotwise.webhooks")

#: names a custom header may not use: ours (signature, body framing) and hop-by-hop ones
RESERVED_HEADERS = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "proxy-authorization",
        "proxy-authenticate",
        "proxy-connection",
    }
)
RESERVED_PREFIXES = ("webhook-", "content-")
_TOKEN = re.compile(s.HEADER_NAME)
_VALUE = re.compile(s.HEADER_VALUE)


#: the events an endpoint may subscribe to, by the body it takes
ALLOWED_EVENTS = {
    PayloadFormat.MEETERGO: SUBSCRIBABLE,
    PayloadFormat.MEETARIO: frozenset(event.value for event in MEETARIO_EVENTS),
}


def normalise_event_types(
    values: Iterable[str], payload_format: PayloadFormat = PayloadFormat.MEETERGO
) -> tuple[list[str], list[FieldError]]:
    """meetergo's names, as stored; Meetario's dotted ones are mapped (`booking.created`). An
    endpoint taking Meetario's body may only name the events about an appointment."""
    found: list[str] = []
    errors: list[FieldError] = []
    allowed = ALLOWED_EVENTS[payload_format]
    for index, value in enumerate(values):
        name = value.strip().lower().replace(".", "_")
        name = EVENT_ALIASES.get(name, name)
        if name not in allowed:
            errors.append(FieldError(f"eventTypes[{index}]", f"Unknown event type '{value}'"))
        elif name not in found:
            found.append(name)
    return found, errors


def check_headers(headers: Mapping[str, str]) -> list[FieldError]:
    errors: list[FieldError] = []
    for name, value in headers.items():
        lower = name.lower()
        if not _TOKEN.match(name):
            errors.append(FieldError(f"headers.{name}", "Not a valid header name"))
        elif lower in RESERVED_HEADERS or lower.startswith(RESERVED_PREFIXES):
            errors.append(FieldError(f"headers.{name}", "Reserved header name"))
        elif not _VALUE.match(value):
            message = "Header values must be one line of visible ASCII"
            errors.append(FieldError(f"headers.{name}", message))
    return errors


@dataclass(frozen=True)
class PreparedPing:
    """A test ping read and signed-to-be, ready to send with no connection held."""

    endpoint: WebhookEndpoint
    #: not in any session until the result is recorded
    event: WebhookEvent
    now: datetime


class WebhookService:
    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        settings: Settings,
        sender: Sender,
        keyring: Keyring,
    ) -> None:
        self.session = session
        self.company_id = principal.company_id
        self.settings = settings
        self.sender = sender
        self.keyring = keyring
        self.endpoints = EndpointRepository(session, self.company_id)
        self.deliveries = DeliveryRepository(session, self.company_id)

    def _url_errors(self, url: str) -> list[FieldError]:
        """The URL's form and any address written in it; names are checked at delivery, so a
        name resolving to a private address and one that does not resolve are both accepted
        here alike (see `Sender.check_url`)."""
        try:
            self.sender.check_url(url)
        except policy.UrlProblem as exc:
            return [FieldError("endpoint", f"The URL {exc}")]
        return []

    async def list(self, poll: Poll = NO_POLL) -> tuple[list[s.Webhook], str | None]:
        """The endpoints, and when polling by update time the next cursor."""
        polling = await polling_window(self.session, poll.sort_by, poll.since, poll.cursor)
        rows = await self.endpoints.all(polling, DEFAULT_PAGE_SIZE if polling else None)
        return [webhook_view(row) for row in rows], next_cursor(polling, rows, poll.cursor)

    async def get(self, webhook_id: uuid.UUID) -> s.Webhook:
        return webhook_view(await self.endpoints.get_or_404(webhook_id))

    async def create(
        self,
        data: s.WebhookCreate,
        *,
        payload_format: PayloadFormat = PayloadFormat.MEETERGO,
        verify_ssl: bool = True,
    ) -> s.WebhookWithSecret:
        """A new endpoint, taking the bodies of `payload_format` (the dialect it was registered
        in); `verify_ssl` may be off only where private networks are allowed."""
        event_types, errors = normalise_event_types(data.event_types, payload_format)
        errors = self._url_errors(data.endpoint) + errors + check_headers(data.headers)
        if errors:
            raise ValidationFailed(errors=errors)
        await self.endpoints.lock_company()
        limit = self.settings.webhook_max_endpoints
        check_limit(await self.endpoints.count(), 1, limit, "Webhook", "company")
        endpoint_id, secret = uuid7(), signing.new_secret()
        row = self.endpoints.add(
            WebhookEndpoint(
                id=endpoint_id,
                url=data.endpoint,
                event_types=event_types,
                description=data.description,
                name=data.name,
                headers=dict(data.headers),
                timeout_seconds=data.timeout_seconds,
                max_retries=data.max_retries,
                status=EndpointStatus(data.status),
                payload_format=payload_format,
                verify_ssl=verify_ssl,
                secret=sealed_secrets.seal(self.keyring, endpoint_id, secret),
                success_count=0,
                failure_count=0,
            )
        )
        await self.session.flush()
        await self.session.refresh(row)
        return with_secret(row, secret)

    async def _validated_update(
        self, data: s.WebhookUpdate, payload_format: PayloadFormat
    ) -> dict[str, object]:
        values: dict[str, object] = {}
        errors: list[FieldError] = []
        if data.endpoint is not s.UNSET:
            errors += self._url_errors(data.endpoint)
            values["url"] = data.endpoint
        if data.event_types is not s.UNSET:
            values["event_types"], type_errors = normalise_event_types(
                data.event_types, payload_format
            )
            errors += type_errors
        if data.headers is not s.UNSET:
            errors += check_headers(data.headers)
            values["headers"] = dict(data.headers)
        if errors:
            raise ValidationFailed(errors=errors)
        for name in ("description", "name", "timeout_seconds", "max_retries"):
            value = getattr(data, name)
            if value is not s.UNSET:
                values[name] = value
        if data.status is not s.UNSET:
            values["status"] = EndpointStatus(data.status)
        return values

    async def update(
        self, webhook_id: uuid.UUID, data: s.WebhookUpdate, *, verify_ssl: bool | None = None
    ) -> s.Webhook:
        """Change the sent fields (`verify_ssl` too, when given)."""
        row = await self.endpoints.get_or_404(webhook_id, for_update=True)
        values = await self._validated_update(data, row.payload_format)
        if verify_ssl is not None:
            values["verify_ssl"] = verify_ssl
        if (
            values.get("status") is EndpointStatus.ACTIVE
            and row.status is not EndpointStatus.ACTIVE
        ):
            row.failing_since = None  # a re-enabled endpoint starts a fresh failure clock
        for name, value in values.items():
            setattr(row, name, value)
        await self.session.flush()
        await self.session.refresh(row)
        return webhook_view(row)

    async def delete(self, webhook_id: uuid.UUID) -> None:
        if not await self.endpoints.delete(webhook_id):
            raise NotFound(EndpointRepository.not_found_message)

    async def rotate_secret(self, webhook_id: uuid.UUID) -> s.WebhookWithSecret:
        row = await self.endpoints.get_or_404(webhook_id, for_update=True)
        overlap = timedelta(hours=self.settings.webhook_secret_overlap_hours)
        previous = self._resealed_previous(row) if overlap else None
        row.previous_secret = previous
        row.previous_secret_expires_at = utc_now() + overlap if previous else None
        secret = signing.new_secret()
        row.secret = sealed_secrets.seal(self.keyring, row.id, secret)
        await self.session.flush()
        await self.session.refresh(row)
        return with_secret(row, secret)

    def _resealed_previous(self, row: WebhookEndpoint) -> str | None:
        """The outgoing secret, sealed under the newest key to sign during the overlap; None
        when no listed key opens it (it could not sign anyway; the new secret replaces it)."""
        try:
            return sealed_secrets.resealed(self.keyring, row.id, row.secret) or row.secret
        except SealError as exc:
            log.warning(
                "webhook endpoint %s: rotated without an overlap, the old secret cannot be"
                " opened (%s)",
                row.id,
                exc,
            )
            return None

    async def prepare_test(self, webhook_id: uuid.UUID) -> PreparedPing:
        """What a test ping needs, read now: the endpoint (URL, headers, secrets, timeout) and
        the signed event, not yet stored. Nothing is written."""
        endpoint = await self.endpoints.get_or_404(webhook_id)
        now = utc_now()
        msg_id = new_msg_id()
        if endpoint.payload_format is PayloadFormat.MEETARIO:
            name = MEETARIO_PING
            body = meetario_body(name, {"data": {"webhook_id": endpoint.number}}, msg_id, now)
        else:
            name, body = PING, event_body(PING, {"webhookId": str(endpoint.id)}, msg_id, now)
        event = WebhookEvent(type=name, msg_id=msg_id, payload=body, occurred_at=now)
        return PreparedPing(endpoint, event, now)

    async def send_test(self, ping: PreparedPing) -> Sent:
        """POST the ping, whatever the endpoint's status; uses no database session."""
        return await send_attempt(self.sender, self.keyring, ping.endpoint, ping.event, ping.now)

    async def record_test(self, ping: PreparedPing, sent: Sent) -> s.TestResult:
        """Log a sent ping as a delivery of one attempt (no retries, not in the stats)."""
        endpoint = await self.endpoints.get_or_404(ping.endpoint.id, for_update=True)
        event = EventRepository(self.session, self.company_id).add(ping.event)
        await self.session.flush()
        delivery_id = await self.deliveries.insert_sent(event.id, endpoint.id, sent)
        await AttemptRepository(self.session, self.company_id).record(delivery_id, 1, sent)
        return s.TestResult(
            id=delivery_id,
            status="delivered" if sent.delivered else "failed",
            response_code=sent.status_code,
            response_time_ms=sent.duration_ms,
            sent_at=ping.now,
            error=sent.error,
        )

    async def list_deliveries(
        self,
        webhook_id: uuid.UUID,
        page: int,
        page_size: int,
        status: DeliveryStatus | None,
    ) -> s.DeliveryList:
        await self.endpoints.get_or_404(webhook_id)
        where = [WebhookDelivery.endpoint_id == webhook_id]
        if status is not None:
            where.append(WebhookDelivery.status == status)
        total = await self.deliveries.count(*where)
        rows = await self.deliveries.rows(*where, limit=page_size, offset=page * page_size)
        return s.DeliveryList(
            deliveries=[delivery_view(row) for row in rows],
            total=total,
            page=page,
            page_size=page_size,
        )

    async def _delivery(self, delivery_id: uuid.UUID) -> DeliveryRow:
        rows = await self.deliveries.rows(WebhookDelivery.id == delivery_id)
        if not rows:
            raise NotFound(DeliveryRepository.not_found_message)
        return rows[0]

    async def get_delivery(self, delivery_id: uuid.UUID) -> s.DeliveryDetail:
        row = await self._delivery(delivery_id)
        attempts = await AttemptRepository(self.session, self.company_id).of_delivery(delivery_id)
        view = delivery_view(row)
        fields = msgspec.structs.asdict(view)
        return s.DeliveryDetail(**fields, attempt_log=[attempt_view(a) for a in attempts])

    async def redeliver(self, delivery_id: uuid.UUID) -> s.Delivery:
        """Send a delivery again: a pending one at once, a finished one as a new delivery of
        the same event (same webhook-id)."""
        await self.deliveries.get_or_404(delivery_id, for_update=True)
        row = await self._delivery(delivery_id)
        old = row.delivery
        endpoint = await self.endpoints.get_or_404(old.endpoint_id)
        if endpoint.status is not EndpointStatus.ACTIVE:
            raise Conflict("The webhook is not active; set its status to active first")
        if old.status is DeliveryStatus.DELIVERING:
            raise Conflict("This delivery is being sent right now")
        now = utc_now()
        if old.status is DeliveryStatus.PENDING:
            old.next_attempt_at, old.locked_until = now, None
            await self.session.flush()
            after_commit(self.session, deliver_wakeup(old.id, old.attempts + 1))
            return delivery_view(await self._delivery(old.id))
        (new_id,) = await self.deliveries.insert_pending(old.event_id, [old.endpoint_id], now)
        after_commit(self.session, deliver_wakeup(new_id, 1))
        return delivery_view(await self._delivery(new_id))


async def provide_webhook_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    state: State,
) -> WebhookService:
    return WebhookService(db, principal, settings, WEBHOOK_SENDER.of(state), KEYRING.of(state))
