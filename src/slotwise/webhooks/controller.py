"""Webhook routes at meetergo's root `/webhooks`, and the same handlers at `/v4/webhooks`."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from slotwise.auth.access import access
from slotwise.kit.pagination import DEFAULT_PAGE_SIZE, Page, PageSizeOrDefault
from slotwise.kit.polling import (
    NEXT_CURSOR_HEADER,
    Poll,
    PollCursor,
    PollSort,
    UpdatedSince,
    with_next_cursor,
)
from slotwise.models import DeliveryStatus
from slotwise.web.idempotency import Idempotency, provide_idempotency
from slotwise.webhooks import schemas as s
from slotwise.webhooks.ping import send_test_ping
from slotwise.webhooks.service import WebhookService, provide_webhook_service


class WebhookController(Controller):
    """Company-level: platform keys need no acting-user header; PATs need the account scope
    and an admin or owner (an endpoint receives every booking of the company)."""

    path = "/webhooks"
    tags = ["webhooks"]
    opt = access(company=True, pat_scope="account", admin=True)
    dependencies = {
        "webhooks": Provide(provide_webhook_service),
        "idempotency": Provide(provide_idempotency),
    }

    @get("/", response_headers=[NEXT_CURSOR_HEADER])
    async def list_webhooks(
        self,
        webhooks: NamedDependency[WebhookService],
        sort_by: PollSort = None,
        updated_since: UpdatedSince = None,
        cursor: PollCursor = None,
    ) -> Response[list[s.Webhook]]:
        """List the company's webhook endpoints (secrets are never listed). With
        `sortBy=updatedAt`, oldest change first, 20 at a time, polled with `updatedSince` and
        the `X-Next-Cursor` of each answer as `cursor`."""
        rows, next_cursor = await webhooks.list(Poll(sort_by, updated_since, cursor))
        return with_next_cursor(Response(rows), next_cursor)

    @post("/", status_code=201)
    async def create_webhook(
        self,
        data: JSONBody[s.WebhookCreate],
        webhooks: NamedDependency[WebhookService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.WebhookWithSecret]:
        """Subscribe an https endpoint to events; the signing secret is returned this once (and
        in the replay for the same Idempotency-Key and body)."""
        return await idempotency.run(lambda: webhooks.create(data), status_code=201, secret=True)

    @get("/{webhook_id:uuid}")
    async def get_webhook(
        self, webhook_id: FromPath[UUID], webhooks: NamedDependency[WebhookService]
    ) -> s.Webhook:
        """One webhook endpoint with its delivery stats."""
        return await webhooks.get(webhook_id)

    @patch("/{webhook_id:uuid}")
    async def update_webhook(
        self,
        webhook_id: FromPath[UUID],
        data: JSONBody[s.WebhookUpdate],
        webhooks: NamedDependency[WebhookService],
    ) -> s.Webhook:
        """Change an endpoint; `eventTypes` and `headers` replace the old lists."""
        return await webhooks.update(webhook_id, data)

    @delete("/{webhook_id:uuid}", status_code=204)
    async def delete_webhook(
        self, webhook_id: FromPath[UUID], webhooks: NamedDependency[WebhookService]
    ) -> None:
        """Delete an endpoint and its delivery log."""
        await webhooks.delete(webhook_id)

    @post("/{webhook_id:uuid}/rotate-secret", status_code=200)
    async def rotate_webhook_secret(
        self,
        webhook_id: FromPath[UUID],
        webhooks: NamedDependency[WebhookService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.WebhookWithSecret]:
        """New signing secret; the old one keeps signing (a second signature) for a while. A
        retry with the same Idempotency-Key gets the same secret and rotates nothing."""
        return await idempotency.run(
            lambda: webhooks.rotate_secret(webhook_id), status_code=200, secret=True
        )

    @post("/{webhook_id:uuid}/test", status_code=200)
    async def test_webhook(
        self, webhook_id: FromPath[UUID], webhooks: NamedDependency[WebhookService]
    ) -> s.TestResult:
        """Send a signed `ping` event now and return how the endpoint answered."""
        return await send_test_ping(webhooks, webhook_id)

    @get("/{webhook_id:uuid}/deliveries")
    async def list_webhook_deliveries(
        self,
        webhook_id: FromPath[UUID],
        webhooks: NamedDependency[WebhookService],
        page: Page = 0,
        page_size: PageSizeOrDefault = DEFAULT_PAGE_SIZE,
        status: Annotated[DeliveryStatus | None, QueryParameter()] = None,
    ) -> s.DeliveryList:
        """The endpoint's delivery log, newest first (`page` is 0-based)."""
        return await webhooks.list_deliveries(webhook_id, page, page_size, status)

    @get("/deliveries/{delivery_id:uuid}")
    async def get_webhook_delivery(
        self, delivery_id: FromPath[UUID], webhooks: NamedDependency[WebhookService]
    ) -> s.DeliveryDetail:
        """One delivery with every attempt (status code, timing, error, start of the response)."""
        return await webhooks.get_delivery(delivery_id)

    @post("/deliveries/{delivery_id:uuid}/redeliver", status_code=202)
    async def redeliver_webhook_delivery(
        self,
        delivery_id: FromPath[UUID],
        webhooks: NamedDependency[WebhookService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.Delivery]:
        """Send a delivery again (same event, same webhook-id)."""
        return await idempotency.run(lambda: webhooks.redeliver(delivery_id), status_code=202)


class V4WebhookController(WebhookController):
    """The same routes under /v4; the document lists them once, at meetergo's /webhooks."""

    path = "/v4/webhooks"
    include_in_schema = False
