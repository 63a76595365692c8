"""Wire shapes of webhook endpoints, deliveries and test pings, and the event body.

Endpoints use meetergo's names (`endpoint`, `eventTypes`, `description`) plus Meetario's extras
(`name`, `headers`, `timeoutSeconds`, `maxRetries`, `status`, `stats`). The signing secret is
only ever in the create and rotate-secret responses.
"""

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from slotwise.kit.wire import InputStruct, WireStruct
from slotwise.models import DeliveryStatus, EndpointStatus, PayloadFormat
from slotwise.webhooks.events import SUBSCRIBABLE_NAMES

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType

Url = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=2048,
        description="https URL that receives the POSTs",
        examples=["https://example.com/hooks/slotwise"],
    ),
]
EventTypes = Annotated[
    list[
        Annotated[str, msgspec.Meta(max_length=64, extra_json_schema={"enum": SUBSCRIBABLE_NAMES})]
    ],
    msgspec.Meta(
        min_length=1,
        max_length=20,
        description=(
            "Events to receive; Meetario's dotted names (`booking.created`) are accepted too"
        ),
        examples=[["booking_created", "booking_cancelled"]],
    ),
]
Description = Annotated[str, msgspec.Meta(max_length=1000)]
Name = Annotated[str, msgspec.Meta(max_length=200)]
#: a header name (an HTTP token)
HEADER_NAME = r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$"
#: a header value: visible ASCII, spaces and tabs, on one line (what HTTP carries as is)
HEADER_VALUE = r"^[\t\x20-\x7e]*$"
Headers = Annotated[
    dict[
        # the patterns are checked after decoding (`service.check_headers`), naming the header
        Annotated[
            str,
            msgspec.Meta(min_length=1, max_length=100, extra_json_schema={"pattern": HEADER_NAME}),
        ],
        Annotated[str, msgspec.Meta(max_length=1000, extra_json_schema={"pattern": HEADER_VALUE})],
    ],
    msgspec.Meta(
        max_length=20,
        description=(
            "Sent with every delivery; webhook-*, content-*, host and hop-by-hop names are reserved"
        ),
    ),
]
Timeout = Annotated[int, msgspec.Meta(ge=1, le=30, description="Seconds")]
MaxRetries = Annotated[
    int, msgspec.Meta(ge=0, le=10, description="Retries after a failed first attempt")
]
SettableStatus = Literal["active", "inactive"]


class WebhookCreate(InputStruct):
    endpoint: Url
    event_types: EventTypes
    description: Description | None = None
    name: Name | None = None
    headers: Headers = msgspec.field(default_factory=dict)
    timeout_seconds: Timeout = 30
    max_retries: MaxRetries = 10
    status: SettableStatus = "active"


class WebhookUpdate(InputStruct):
    """Fields left out stay as they are; `eventTypes` and `headers` replace the old values.
    Setting `status: active` re-enables a disabled endpoint."""

    endpoint: Url | Unset = UNSET
    event_types: EventTypes | Unset = UNSET
    description: Description | Unset | None = UNSET
    name: Name | Unset | None = UNSET
    headers: Headers | Unset = UNSET
    timeout_seconds: Timeout | Unset = UNSET
    max_retries: MaxRetries | Unset = UNSET
    status: SettableStatus | Unset = UNSET


class WebhookStats(WireStruct):
    """Counts of attempts (test pings excluded)."""

    success_count: int
    failure_count: int
    #: percent of attempts that succeeded; null before the first attempt
    success_rate: float | None
    last_success_at: datetime | None
    last_failure_at: datetime | None


MaskedHeaders = Annotated[
    dict[str, str],
    msgspec.Meta(
        description=(
            "Custom headers with masked values: each value reads \u2022\u2022\u2022\u2022,"
            " followed by its last 4 characters when it has at least 12; deliveries send the"
            " stored value"
        ),
        examples=[
            {"Authorization": "\u2022\u2022\u2022\u2022oken", "X-Team": "\u2022\u2022\u2022\u2022"}
        ],
    ),
]


class Webhook(WireStruct):
    id: uuid.UUID
    endpoint: str
    event_types: list[str]
    description: str | None
    name: str | None
    headers: MaskedHeaders
    timeout_seconds: int
    max_retries: int
    status: EndpointStatus
    company_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    stats: WebhookStats
    #: the body the endpoint receives: meetergo's, or the Meetario sheet's for an endpoint
    #: registered under /api/v1/webhooks
    payload_format: PayloadFormat


class WebhookWithSecret(Webhook):
    """Returned on create and on rotate-secret only: the secret is not shown anywhere else."""

    secret: str
    #: after a rotation, the old secret keeps signing (a second signature) until then
    previous_secret_expires_at: datetime | None = None


class Delivery(WireStruct):
    id: uuid.UUID
    webhook_id: uuid.UUID
    #: the webhook-id header and the body's `eventId`
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    response_code: int | None
    error: str | None
    response_time_ms: int | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    next_attempt_at: datetime | None


class DeliveryList(WireStruct):
    deliveries: list[Delivery]
    total: int
    page: int
    page_size: int


class Attempt(WireStruct):
    attempt: int
    started_at: datetime
    response_time_ms: int
    response_code: int | None
    error: str | None
    #: the first 2 kB of the response body
    response_body: str | None


class DeliveryDetail(Delivery):
    attempt_log: list[Attempt]


class TestResult(WireStruct):
    """The test ping's delivery (it is in the delivery log too)."""

    id: uuid.UUID
    status: Literal["delivered", "failed"]
    response_code: int | None
    response_time_ms: int
    sent_at: datetime
    error: str | None = None
