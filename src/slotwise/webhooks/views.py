"""Webhook rows → the wire."""

import msgspec

from slotwise.models import DeliveryStatus, WebhookAttempt, WebhookEndpoint
from slotwise.webhooks import schemas as s
from slotwise.webhooks.repository import DeliveryRow

#: what an answer shows in place of a custom header value
MASK = "\u2022\u2022\u2022\u2022"
#: values at least this long show their last `MASK_TAIL` characters after the mask
MASK_SHOW_TAIL_FROM = 12
MASK_TAIL = 4


def mask_header_value(value: str) -> str:
    """A header value as answers show it: never in clear.

    Values often are credentials (`Authorization: Bearer …`), so every answer masks them. A value
    of at least 12 characters keeps its last 4 (at most a third of it) so a partner can tell
    which token is configured; shorter ones show the mask alone. The mask is not a valid header
    value, so one sent back unchanged in a PATCH is refused rather than stored.
    """
    if len(value) >= MASK_SHOW_TAIL_FROM:
        return MASK + value[-MASK_TAIL:]
    return MASK


def stats(row: WebhookEndpoint) -> s.WebhookStats:
    attempts = row.success_count + row.failure_count
    rate = round(100 * row.success_count / attempts, 2) if attempts else None
    return s.WebhookStats(
        success_count=row.success_count,
        failure_count=row.failure_count,
        success_rate=rate,
        last_success_at=row.last_success_at,
        last_failure_at=row.last_failure_at,
    )


def masked_headers(row: WebhookEndpoint) -> dict[str, str]:
    return {name: mask_header_value(value) for name, value in (row.headers or {}).items()}


def webhook_view(row: WebhookEndpoint) -> s.Webhook:
    return s.Webhook(
        id=row.id,
        endpoint=row.url,
        event_types=list(row.event_types),
        description=row.description,
        name=row.name,
        headers=masked_headers(row),
        timeout_seconds=row.timeout_seconds,
        max_retries=row.max_retries,
        status=row.status,
        company_id=row.company_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        stats=stats(row),
        payload_format=row.payload_format,
    )


def with_secret(row: WebhookEndpoint, secret: str) -> s.WebhookWithSecret:
    """The endpoint and its new secret in clear (the row holds it sealed)."""
    view = webhook_view(row)
    fields = msgspec.structs.asdict(view)
    return s.WebhookWithSecret(
        **fields, secret=secret, previous_secret_expires_at=row.previous_secret_expires_at
    )


def delivery_view(row: DeliveryRow) -> s.Delivery:
    d = row.delivery
    return s.Delivery(
        id=d.id,
        webhook_id=d.endpoint_id,
        event_id=row.msg_id,
        event_type=row.event_type,
        status=d.status,
        attempts=d.attempts,
        response_code=d.last_status_code,
        error=d.last_error,
        response_time_ms=d.last_duration_ms,
        created_at=d.created_at,
        last_attempt_at=d.last_attempt_at,
        delivered_at=d.delivered_at,
        next_attempt_at=d.next_attempt_at if d.status is DeliveryStatus.PENDING else None,
    )


def attempt_view(row: WebhookAttempt) -> s.Attempt:
    return s.Attempt(
        attempt=row.attempt,
        started_at=row.started_at,
        response_time_ms=row.duration_ms,
        response_code=row.status_code,
        error=row.error,
        response_body=row.response_body,
    )
