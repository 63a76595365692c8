"""/webhooks and /v4/webhooks: subscriptions, secrets, the delivery log, redelivery, test ping."""

import uuid
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from standardwebhooks.webhooks import Webhook

from slotwise.models import DeliveryStatus
from slotwise.settings import Settings
from slotwise.webhooks.delivery import Deliverer
from tests.support.factories import Tenant, make_delivery, make_pat, make_tenant, make_user
from tests.support.webhook_receiver import Receiver, Reply

ENDPOINT = "https://hooks.example.com/slotwise"
KEYS = {
    "id",
    "endpoint",
    "eventTypes",
    "description",
    "name",
    "headers",
    "timeoutSeconds",
    "maxRetries",
    "status",
    "companyId",
    "createdAt",
    "updatedAt",
    "stats",
    "payloadFormat",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, webhook_max_endpoints=3)


async def create(
    client: AsyncTestClient[Litestar], tenant: Tenant, prefix: str = "/v4/webhooks", **body: Any
) -> Any:
    payload = {"endpoint": ENDPOINT, "eventTypes": ["booking_created"]} | body
    return await client.post(prefix, json=payload, headers=tenant.headers())


@pytest.mark.parametrize("prefix", ["/webhooks", "/v4/webhooks"])
async def test_crud_at_both_paths(
    client: AsyncTestClient[Litestar], tenant: Tenant, prefix: str
) -> None:
    headers = tenant.headers()
    created = await create(
        client,
        tenant,
        prefix,
        eventTypes=["booking.created", "booking_cancelled", "booking.created"],
        description="CRM sync",
        name="CRM",
        headers={"X-Api-Key": "abc"},
        timeoutSeconds=10,
        maxRetries=3,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == KEYS | {"secret", "previousSecretExpiresAt"}
    assert body["secret"].startswith("whsec_")
    assert body["eventTypes"] == ["booking_created", "booking_cancelled"]
    assert (body["status"], body["timeoutSeconds"], body["maxRetries"]) == ("active", 10, 3)
    assert body["companyId"] == str(tenant.company_id)
    assert body["stats"] == {
        "successCount": 0,
        "failureCount": 0,
        "successRate": None,
        "lastSuccessAt": None,
        "lastFailureAt": None,
    }
    url = f"{prefix}/{body['id']}"
    for read in (await client.get(url, headers=headers), await client.get(prefix, headers=headers)):
        assert read.status_code == 200
        assert "whsec_" not in read.text
    (listed,) = (await client.get(prefix, headers=headers)).json()
    assert set(listed) == KEYS

    patched = await client.patch(
        url, json={"eventTypes": ["new_employee"], "description": None}, headers=headers
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["eventTypes"] == ["new_employee"]
    assert patched.json()["description"] is None
    assert patched.json()["name"] == "CRM"
    assert "whsec_" not in patched.text

    assert (await client.delete(url, headers=headers)).status_code == 204
    assert (await client.get(url, headers=headers)).status_code == 404
    assert (await client.get(prefix, headers=headers)).json() == []


async def test_both_paths_show_the_same_endpoints(
    client: AsyncTestClient[Litestar], tenant: Tenant
) -> None:
    made = (await create(client, tenant, "/webhooks")).json()
    listed = (await client.get("/v4/webhooks", headers=tenant.headers())).json()
    assert [w["id"] for w in listed] == [made["id"]]


async def test_defaults(client: AsyncTestClient[Litestar], tenant: Tenant) -> None:
    body = (await create(client, tenant)).json()
    assert (body["timeoutSeconds"], body["maxRetries"], body["status"]) == (30, 10, "active")
    assert (body["headers"], body["name"], body["description"]) == ({}, None, None)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"eventTypes": ["booking_created", "booking_exploded"]}, "eventTypes[1]"),
        ({"eventTypes": ["ping"]}, "eventTypes[0]"),
        ({"eventTypes": []}, "eventTypes"),
        ({"endpoint": "ftp://hooks.example.com/x"}, "endpoint"),
        ({"endpoint": "not a url"}, "endpoint"),
        ({"headers": {"Webhook-Signature": "x"}}, "headers.Webhook-Signature"),
        ({"headers": {"content-type": "text/plain"}}, "headers.content-type"),
        ({"headers": {"Host": "evil.example"}}, "headers.Host"),
        ({"headers": {"Transfer-Encoding": "chunked"}}, "headers.Transfer-Encoding"),
        ({"headers": {"Bad Name": "x"}}, "headers.Bad Name"),
        ({"headers": {"X-Line": "a\r\nInjected: yes"}}, "headers.X-Line"),
        ({"headers": {"X-Team": "Zürich"}}, "headers.X-Team"),
        ({"timeoutSeconds": 31}, "timeoutSeconds"),
        ({"timeoutSeconds": 0}, "timeoutSeconds"),
        ({"maxRetries": 11}, "maxRetries"),
        ({"status": "disabled"}, "status"),
        ({"secret": "whsec_mine"}, "secret"),
        ({"companyId": str(uuid.uuid4())}, "companyId"),
    ],
)
async def test_invalid_bodies_name_the_field(
    client: AsyncTestClient[Litestar], tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    response = await create(client, tenant, **body)
    assert response.status_code == 400, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert (await client.get("/v4/webhooks", headers=tenant.headers())).json() == []


async def test_authorization_header_may_be_a_custom_header(
    client: AsyncTestClient[Litestar], tenant: Tenant
) -> None:
    response = await create(client, tenant, headers={"Authorization": "Bearer receiver-token"})
    assert response.status_code == 201, response.text


async def test_header_values_are_masked_in_every_answer_and_sent_in_clear(
    client: AsyncTestClient[Litestar], tenant: Tenant, receiver: Receiver
) -> None:
    headers = tenant.headers()
    secret = "Bearer receiver-token"
    sent = {"Authorization": secret, "X-Api-Key": "abc", "X-Eleven": "12345678901"}
    masked = {
        "Authorization": "\u2022\u2022\u2022\u2022oken",
        "X-Api-Key": "\u2022\u2022\u2022\u2022",
    }
    masked["X-Eleven"] = "\u2022\u2022\u2022\u2022"  # under 12 characters: no tail
    created = await create(client, tenant, endpoint=receiver.url(), headers=sent)
    assert created.status_code == 201, created.text
    made = created.json()
    url = f"/v4/webhooks/{made['id']}"
    patched = await client.patch(url, json={"name": "CRM"}, headers=headers)
    answers = [
        created,
        await client.get(url, headers=headers),
        await client.get("/v4/webhooks", headers=headers),
        await client.get(f"/webhooks/{made['id']}", headers=headers),
        patched,
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.text
        assert "receiver-token" not in answer.text
        assert "12345678901" not in answer.text
    assert made["headers"] == masked
    assert patched.json()["headers"] == masked
    # deliveries carry the stored value unchanged
    assert (await client.post(f"{url}/test", headers=headers)).json()["status"] == "delivered"
    (got,) = receiver.received
    assert (got.headers["authorization"], got.headers["x-api-key"]) == (secret, "abc")
    # a masked value sent back is refused, not stored over the real one
    echoed = await client.patch(url, json={"headers": masked}, headers=headers)
    assert echoed.status_code == 400, echoed.text
    assert "headers.Authorization" in echoed.text
    replaced = await client.patch(url, json={"headers": {"X-New": "value"}}, headers=headers)
    assert replaced.json()["headers"] == {"X-New": "\u2022\u2022\u2022\u2022"}


async def test_endpoint_limit_is_406(client: AsyncTestClient[Litestar], tenant: Tenant) -> None:
    for _ in range(3):
        assert (await create(client, tenant)).status_code == 201
    refused = await create(client, tenant)
    assert refused.status_code == 406
    assert refused.json()["code"] == "limit_reached"
    assert len((await client.get("/v4/webhooks", headers=tenant.headers())).json()) == 3


async def test_rotate_secret_returns_the_new_secret_and_keeps_the_old_one_signing(
    client: AsyncTestClient[Litestar], tenant: Tenant
) -> None:
    made = (await create(client, tenant)).json()
    rotated = await client.post(f"/webhooks/{made['id']}/rotate-secret", headers=tenant.headers())
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret"] != made["secret"]
    assert body["previousSecretExpiresAt"] is not None


async def test_test_ping_is_signed_and_logged(
    client: AsyncTestClient[Litestar], tenant: Tenant, receiver: Receiver
) -> None:
    made = (await create(client, tenant, endpoint=receiver.url())).json()
    rotated = (
        await client.post(f"/v4/webhooks/{made['id']}/rotate-secret", headers=tenant.headers())
    ).json()
    result = await client.post(f"/v4/webhooks/{made['id']}/test", headers=tenant.headers())
    assert result.status_code == 200, result.text
    body = result.json()
    assert set(body) == {"id", "status", "responseCode", "responseTimeMs", "sentAt", "error"}
    assert (body["status"], body["responseCode"], body["error"]) == ("delivered", 200, None)
    (got,) = receiver.received
    ping = Webhook(rotated["secret"]).verify(got.body, got.headers)
    Webhook(made["secret"]).verify(got.body, got.headers)  # the rotation window's signature
    assert ping["webhookType"] == "ping"
    assert ping["webhookId"] == made["id"]
    log = (
        await client.get(f"/v4/webhooks/{made['id']}/deliveries", headers=tenant.headers())
    ).json()
    assert log["total"] == 1
    assert log["deliveries"][0]["id"] == body["id"]
    assert log["deliveries"][0]["eventType"] == "ping"
    stats = (await client.get(f"/v4/webhooks/{made['id']}", headers=tenant.headers())).json()
    assert stats["stats"]["successCount"] == 0  # pings are not counted


async def test_test_ping_reports_a_failing_endpoint(
    client: AsyncTestClient[Litestar], tenant: Tenant, receiver: Receiver
) -> None:
    receiver.plan("/broken", Reply(500, body=b"stack trace"))
    made = (await create(client, tenant, endpoint=receiver.url("/broken"))).json()
    body = (await client.post(f"/webhooks/{made['id']}/test", headers=tenant.headers())).json()
    assert (body["status"], body["responseCode"], body["error"]) == ("failed", 500, "http_status")
    detail = (
        await client.get(f"/webhooks/deliveries/{body['id']}", headers=tenant.headers())
    ).json()
    assert detail["attemptLog"][0]["responseBody"] == "stack trace"
    assert detail["status"] == "failed"


async def test_delivery_log_redeliver_and_stats(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    tenant: Tenant,
    receiver: Receiver,
    deliverer: Deliverer,
) -> None:
    headers = tenant.headers()
    receiver.plan("/hook", Reply(500), Reply(200))
    made = (
        await create(client, tenant, endpoint=receiver.url(), eventTypes=["new_employee"])
    ).json()
    (delivery_id,) = await make_delivery(settings, tenant)
    log = (await client.get(f"/v4/webhooks/{made['id']}/deliveries", headers=headers)).json()
    (pending,) = log["deliveries"]
    assert (pending["status"], pending["attempts"], pending["eventType"]) == (
        "pending",
        0,
        "new_employee",
    )
    assert pending["nextAttemptAt"] is not None
    await deliverer.deliver(delivery_id)

    # a pending delivery is brought forward; after a success a redelivery is a new delivery
    redone = await client.post(f"/v4/webhooks/deliveries/{delivery_id}/redeliver", headers=headers)
    assert redone.status_code == 202, redone.text
    assert redone.json()["id"] == str(delivery_id)
    assert (await deliverer.deliver(delivery_id)) is not None
    again = await client.post(f"/webhooks/deliveries/{delivery_id}/redeliver", headers=headers)
    assert again.status_code == 202
    second = again.json()
    assert second["id"] != str(delivery_id)
    assert second["eventId"] == pending["eventId"]
    outcome = await deliverer.deliver(uuid.UUID(second["id"]))
    assert outcome is not None
    assert outcome.status is DeliveryStatus.DELIVERED
    assert {r.headers["webhook-id"] for r in receiver.received} == {pending["eventId"]}

    page = (
        await client.get(
            f"/v4/webhooks/{made['id']}/deliveries?page=0&pageSize=1&status=delivered",
            headers=headers,
        )
    ).json()
    assert (page["total"], page["page"], page["pageSize"], len(page["deliveries"])) == (2, 0, 1, 1)
    detail = (await client.get(f"/v4/webhooks/deliveries/{delivery_id}", headers=headers)).json()
    assert [(a["attempt"], a["responseCode"]) for a in detail["attemptLog"]] == [
        (1, 500),
        (2, 200),
    ]
    assert detail["responseCode"] == 200
    assert detail["nextAttemptAt"] is None
    stats = (await client.get(f"/v4/webhooks/{made['id']}", headers=headers)).json()["stats"]
    assert (stats["successCount"], stats["failureCount"], stats["successRate"]) == (2, 1, 66.67)
    assert stats["lastSuccessAt"] is not None
    assert stats["lastFailureAt"] is not None


async def test_redelivery_needs_an_active_endpoint(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant, deliverer: Deliverer
) -> None:
    headers = tenant.headers()
    made = (await create(client, tenant, eventTypes=["new_employee"])).json()
    (delivery_id,) = await make_delivery(settings, tenant)
    await client.patch(f"/v4/webhooks/{made['id']}", json={"status": "inactive"}, headers=headers)
    outcome = await deliverer.deliver(delivery_id)
    assert outcome is not None
    assert outcome.status is DeliveryStatus.SKIPPED
    refused = await client.post(f"/v4/webhooks/deliveries/{delivery_id}/redeliver", headers=headers)
    assert refused.status_code == 409
    assert await make_delivery(settings, tenant) == []  # inactive endpoints get no new events


async def test_personal_access_tokens_need_account_scope_and_admin(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant
) -> None:
    member = await make_user(settings, tenant)
    member_token = (await make_pat(settings, tenant, member, ("account",))).token
    owner_token = (await make_pat(settings, tenant, tenant.owner_id, ("account",))).token
    scheduling = (await make_pat(settings, tenant, tenant.owner_id, ("scheduling",))).token

    def bearer(token: str) -> dict[str, str]:
        return {"authorization": f"Bearer {token}"}

    assert (await client.get("/webhooks", headers=bearer(owner_token))).status_code == 200
    assert (await client.get("/webhooks", headers=bearer(member_token))).status_code == 403
    denied = await client.get("/webhooks", headers=bearer(scheduling))
    assert (denied.status_code, denied.json()["message"]) == (403, "Missing scope: account")


async def test_other_companies_endpoints_are_invisible(
    client: AsyncTestClient[Litestar], settings: Settings, tenant: Tenant
) -> None:
    other = await make_tenant(settings, "Other")
    made = (await create(client, other)).json()
    headers = tenant.headers()
    assert (await client.get("/webhooks", headers=headers)).json() == []
    for method, path in (
        ("GET", f"/webhooks/{made['id']}"),
        ("PATCH", f"/webhooks/{made['id']}"),
        ("DELETE", f"/webhooks/{made['id']}"),
        ("POST", f"/webhooks/{made['id']}/rotate-secret"),
        ("POST", f"/webhooks/{made['id']}/test"),
        ("GET", f"/webhooks/{made['id']}/deliveries"),
    ):
        response = await client.request(
            method, path, headers=headers, json={} if method == "PATCH" else None
        )
        assert response.status_code == 404, (method, path)


async def test_meetergos_other_event_names_are_accepted(
    client: AsyncTestClient[Litestar], tenant: Tenant
) -> None:
    names = [
        "form_submission",
        "credential_error",
        "review_submitted",
        "review_published",
        "signature_completed",
    ]
    created = await create(client, tenant, eventTypes=names)
    assert created.status_code == 201, created.text
    assert created.json()["eventTypes"] == names
