"""/api/v1/webhooks: the company's webhook endpoints in the sheet's shape, kept by the same
`WebhookService` as /v4's. An endpoint registered here receives Meetario's bodies
(`booking.created` with the event as `GET /api/v1/events/{id}` shows it)."""

import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.db.settled import next_cursor, polling_window
from slotwise.kit.errors import ValidationFailed
from slotwise.kit.pagination import DEFAULT_PAGE_SIZE
from slotwise.kit.polling import NO_POLL, Poll
from slotwise.kit.sealing import SealError
from slotwise.kit.wire import sent_fields
from slotwise.meetario import schemas as s
from slotwise.meetario import views
from slotwise.meetario.conversion import Names, converted, renamed
from slotwise.meetario.repository import WebhookNumbers
from slotwise.models import PayloadFormat, WebhookEndpoint
from slotwise.settings import Settings
from slotwise.webhooks import schemas as wh
from slotwise.webhooks.ping import send_test_ping
from slotwise.webhooks.sealed_secrets import open_secret
from slotwise.webhooks.service import WebhookService, provide_webhook_service
from slotwise.webhooks.views import MASK

#: /v4's webhook field names → the sheet's
_FIELDS: Names = {
    "endpoint": "url",
    "eventTypes": "events",
    "timeoutSeconds": "timeout_seconds",
    "maxRetries": "max_retries",
}
#: the sheet's webhook fields → /v4's (wire names); `verify_ssl` has no /v4 field
_WIRE = {
    "name": "name",
    "url": "endpoint",
    "events": "eventTypes",
    "status": "status",
    "headers": "headers",
    "timeout_seconds": "timeoutSeconds",
    "max_retries": "maxRetries",
}
_SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix every secret starts with


class MeetarioWebhookService:
    def __init__(self, webhooks: WebhookService, settings: Settings) -> None:
        self.webhooks = webhooks
        self.numbers = WebhookNumbers(webhooks.session, webhooks.company_id)
        self.allow_unverified = settings.webhook_allow_private_networks

    def _masked_secret(self, row: WebhookEndpoint) -> str:
        """The sheet lists the secret: here masked, ending in its last 4 characters, so a
        partner can tell which one is configured (it is shown in full once, on create)."""
        try:
            plain = open_secret(self.webhooks.keyring, row.id, row.secret)
        except SealError:
            return _SECRET_PREFIX + MASK
        return _SECRET_PREFIX + MASK + plain[-4:]

    def _view(self, row: WebhookEndpoint) -> s.V1Webhook:
        return views.webhook(row, self._masked_secret(row))

    def _check_verify_ssl(self, verify_ssl: bool) -> None:
        if not verify_ssl and not self.allow_unverified:
            message = "Certificates are always checked on this server; verify_ssl must be true"
            raise ValidationFailed.field("verify_ssl", message)

    async def list(self, poll: Poll = NO_POLL) -> s.V1WebhookList:
        """Oldest first; polling by update time, oldest change first past the cursor."""
        try:
            polling = await polling_window(
                self.webhooks.session, poll.sort_by, poll.since, poll.cursor
            )
        except ValidationFailed as exc:
            raise renamed(exc, {"updatedSince": "updated_since"}) from None
        rows = await self.webhooks.endpoints.all(polling, DEFAULT_PAGE_SIZE if polling else None)
        return s.V1WebhookList(
            data=[self._view(row) for row in rows],
            next_cursor=next_cursor(polling, rows, poll.cursor),
        )

    async def get(self, ref: str) -> s.V1WebhookData:
        row = await self.webhooks.endpoints.get_or_404(await self.numbers.resolve(ref))
        return s.V1WebhookData(data=self._view(row))

    async def create(self, data: s.V1WebhookCreate) -> s.V1WebhookData:
        """Register an endpoint taking Meetario's bodies; the answer holds its secret in full,
        the only time it is shown."""
        self._check_verify_ssl(data.verify_ssl)
        body = {_WIRE[name]: value for name, value in sent_fields(data).items() if name in _WIRE}
        create = converted(body, wh.WebhookCreate, _FIELDS)
        try:
            made = await self.webhooks.create(
                create, payload_format=PayloadFormat.MEETARIO, verify_ssl=data.verify_ssl
            )
        except ValidationFailed as exc:
            raise renamed(exc, _FIELDS) from None
        row = await self.webhooks.endpoints.get_or_404(made.id)
        return s.V1WebhookData(data=views.webhook(row, made.secret))

    async def update(self, ref: str, data: s.V1WebhookUpdate) -> s.V1WebhookData:
        webhook_id = await self.numbers.resolve(ref)
        sent = sent_fields(data)
        verify_ssl = None if isinstance(data.verify_ssl, msgspec.UnsetType) else data.verify_ssl
        if verify_ssl is not None:
            self._check_verify_ssl(verify_ssl)
        body = {_WIRE[name]: value for name, value in sent.items() if name in _WIRE}
        update = converted(body, wh.WebhookUpdate, _FIELDS)
        try:
            await self.webhooks.update(webhook_id, update, verify_ssl=verify_ssl)
        except ValidationFailed as exc:
            raise renamed(exc, _FIELDS) from None
        row = await self.webhooks.endpoints.get_or_404(webhook_id)
        return s.V1WebhookData(data=self._view(row))

    async def delete(self, ref: str) -> s.V1Message:
        row = await self.webhooks.endpoints.get_or_404(await self.numbers.resolve(ref))
        await self.webhooks.endpoints.remove(row)
        return s.V1Message(message="Webhook deleted successfully")

    async def test(self, ref: str) -> s.V1WebhookTest:
        """Send a signed `webhook.test` event now; the answer says how the endpoint answered."""
        webhook_id = await self.numbers.resolve(ref)
        return views.test_result(await send_test_ping(self.webhooks, webhook_id))


async def provide_meetario_webhooks(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
    state: State,
) -> MeetarioWebhookService:
    webhooks = await provide_webhook_service(db, principal, settings, state)
    return MeetarioWebhookService(webhooks, settings)
