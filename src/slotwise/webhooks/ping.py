"""The test ping's unit of work: read, release the connection, send, record.

The endpoint may take its whole timeout (up to 30 s) to answer. The request's transaction is
committed before the ping is sent, so its connection is back in the pool while the request
waits; the result is recorded in a new short transaction, which the request commits as usual.
"""

import uuid

from slotwise.webhooks import schemas as s
from slotwise.webhooks.service import WebhookService


async def send_test_ping(webhooks: WebhookService, webhook_id: uuid.UUID) -> s.TestResult:
    ping = await webhooks.prepare_test(webhook_id)
    # ends the request's transaction (authentication's reads included); no connection is held
    # while the endpoint answers
    await webhooks.session.commit()
    sent = await webhooks.send_test(ping)
    return await webhooks.record_test(ping, sent)
