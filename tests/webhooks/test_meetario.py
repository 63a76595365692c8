"""/api/v1/webhooks: the sheet's webhook routes over the same endpoints as /v4, and the body
each endpoint receives: an endpoint registered under /api/v1 gets Meetario's snake_case event,
one registered under /v4 meetergo's flat body, for the same booking."""

import uuid
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from standardwebhooks.webhooks import Webhook

from slotwise.app import create_app
from slotwise.auth.scopes import ScopeName
from slotwise.settings import Settings
from slotwise.webhooks.delivery import Deliverer
from tests.support.bookings import at, book, fetch, make_type, monday
from tests.support.factories import Side, make_pat
from tests.support.tls import self_signed_context
from tests.support.webhook_receiver import Receiver, running_receiver

Client = AsyncTestClient[Litestar]
SHEET_TIME = "%Y-%m-%dT%H:%M:%SZ"
WEBHOOK_KEYS = {
    "uuid",
    "id",
    "name",
    "url",
    "events",
    "status",
    "secret",
    "headers",
    "timeout_seconds",
    "max_retries",
    "verify_ssl",
    "stats",
    "created_at",
    "updated_at",
}


async def admin_bearer(settings: Settings, side: Side, *scopes: ScopeName) -> dict[str, str]:
    """A `pat_` token of the side's admin (webhooks are the company's: admins only)."""
    held = scopes or ("webhooks:write", "events:write", "event_types:read")
    pat = await make_pat(settings, side.tenant, side.admin_id, held, style="pat")
    return {"authorization": f"Bearer {pat.token}", "content-type": "application/json"}


def plain(webhook: dict[str, Any]) -> uuid.UUID:
    """The UUID of a webhook as either dialect shows it."""
    return uuid.UUID(webhook.get("uuid", "").removeprefix("wh_") or webhook["id"])


async def deliver_pending(settings: Settings, deliverer: Deliverer, *hooks: dict[str, Any]) -> int:
    """Send the hooks' pending deliveries now, as the worker would; how many there were."""
    rows = await fetch(
        settings,
        "SELECT id FROM webhook_delivery WHERE status = 'pending' AND endpoint_id = ANY($1)",
        [plain(hook) for hook in hooks],
    )
    for row in rows:
        await deliverer.deliver(row["id"])
    return len(rows)


async def test_each_dialect_receives_its_own_body_for_the_same_booking(
    client: Client, settings: Settings, side_a: Side, receiver: Receiver, deliverer: Deliverer
) -> None:
    headers = await admin_bearer(settings, side_a)
    meeting_type = await make_type(client, side_a, user_id=side_a.admin_id)
    made = await client.post(
        "/api/v1/webhooks",
        json={
            "name": "Booking Notifications",
            "url": receiver.url("/v1"),
            "events": ["booking.created", "booking.confirmed", "booking.cancelled"],
            "headers": {"X-Api-Key": "my-api-key"},
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    meetario = made.json()["data"]
    assert set(meetario) == WEBHOOK_KEYS
    assert meetario["uuid"].startswith("wh_")
    assert isinstance(meetario["id"], int)
    assert meetario["events"] == ["booking.created", "booking.confirmed", "booking.cancelled"]
    assert (meetario["timeout_seconds"], meetario["max_retries"]) == (30, 3)
    assert meetario["secret"].startswith("whsec_")
    v4 = await client.post(
        "/v4/webhooks",
        json={"endpoint": receiver.url("/v4"), "eventTypes": ["booking_created"]},
        headers=side_a.tenant.headers(),
    )
    assert v4.status_code == 201, v4.text
    assert v4.json()["payloadFormat"] == "meetergo"

    type_id = (
        await client.get(
            f"/api/v1/event_types/et_{uuid.UUID(meeting_type['id']).hex}", headers=headers
        )
    ).json()["data"]["id"]
    start = at(10, day=monday(3))
    booked = await client.post(
        "/api/v1/events",
        json={
            "event_type_id": type_id,
            "attendee_email": "invitee@example.com",
            "attendee_name": "Ida Invitee",
            "start_time": start.isoformat(),
        },
        headers=headers,
    )
    assert booked.status_code == 201, booked.text
    event = booked.json()["data"]
    assert await deliver_pending(settings, deliverer, meetario, v4.json()) == 2

    (got_v1,) = receiver.on("/v1")
    (got_v4,) = receiver.on("/v4")
    body = Webhook(meetario["secret"]).verify(got_v1.body, got_v1.headers)
    assert set(body) == {"event", "event_id", "occurred_at", "data"}
    assert body["event"] == "booking.created"
    assert body["event_id"] == got_v1.headers["webhook-id"]
    assert body["occurred_at"].endswith("Z")
    assert got_v1.headers["x-api-key"] == "my-api-key"
    # the event exactly as GET /api/v1/events/{id} shows it
    shown = (await client.get(f"/api/v1/events/{event['id']}", headers=headers)).json()["data"]
    assert body["data"] == shown
    assert body["data"]["invitee"]["email"] == "invitee@example.com"
    assert body["data"]["status"] == "confirmed"

    flat = Webhook(v4.json()["secret"]).verify(got_v4.body, got_v4.headers)
    assert flat["webhookType"] == "booking_created"
    assert flat["id"] == str(uuid.UUID(event["uuid"].removeprefix("evt_")))
    assert "event" not in flat
    assert got_v4.headers["webhook-id"] != got_v1.headers["webhook-id"]

    # a cancellation reaches the /api/v1 endpoint only (the /v4 one did not subscribe)
    cancelled = await client.post(
        f"/api/v1/events/{event['id']}/cancel", json={"reason": "Plans changed"}, headers=headers
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await deliver_pending(settings, deliverer, meetario, v4.json()) == 1
    _, got = receiver.on("/v1")
    body = Webhook(meetario["secret"]).verify(got.body, got.headers)
    assert (body["event"], body["data"]["status"]) == ("booking.cancelled", "cancelled")
    listed = (await client.get("/api/v1/webhooks", headers=headers)).json()["data"]
    mine = next(w for w in listed if w["id"] == meetario["id"])
    assert mine["stats"]["success_count"] == 2
    assert mine["stats"]["success_rate"] == 100.0


async def test_reschedule_carries_the_previous_start(
    client: Client, settings: Settings, side_a: Side, receiver: Receiver, deliverer: Deliverer
) -> None:
    headers = await admin_bearer(settings, side_a)
    meeting_type = await make_type(client, side_a, user_id=side_a.admin_id)
    hook = (
        await client.post(
            "/api/v1/webhooks",
            json={"name": "Moves", "url": receiver.url("/v1"), "events": ["booking.rescheduled"]},
            headers=headers,
        )
    ).json()["data"]
    day = monday(3)
    appointment = (await book(client, side_a, meeting_type, at(10, day=day)))["appointmentId"]
    assert await deliver_pending(settings, deliverer, hook) == 0  # not subscribed to creation
    moved = await client.post(
        f"/api/v1/events/evt_{uuid.UUID(appointment).hex}/reschedule",
        json={"start_time": at(11, day=day).isoformat()},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert await deliver_pending(settings, deliverer, hook) == 1
    (got,) = receiver.on("/v1")
    body = Webhook(hook["secret"]).verify(got.body, got.headers)
    assert body["event"] == "booking.rescheduled"
    assert body["previous_start_time"] == at(10, day=day).astimezone(UTC).strftime(SHEET_TIME)
    assert body["data"]["start_time"] == moved.json()["data"]["start_time"]


async def test_crud_by_either_id_and_the_sheets_messages(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await admin_bearer(settings, side_a)
    made = (
        await client.post(
            "/api/v1/webhooks",
            json={
                "name": "Main Webhook",
                "url": "https://your-app.com/webhooks/calendar",
                "events": ["booking.created", "booking.canceled"],
                "headers": {"X-Custom-Header": "a-long-custom-value"},
                "timeout_seconds": 10,
                "max_retries": 5,
            },
            headers=headers,
        )
    ).json()["data"]
    assert made["events"] == ["booking.created", "booking.cancelled"]
    full = made["secret"]
    for ref in (made["id"], made["uuid"], made["uuid"].removeprefix("wh_")):
        got = await client.get(f"/api/v1/webhooks/{ref}", headers=headers)
        assert got.status_code == 200, got.text
        shown = got.json()["data"]
        assert shown["id"] == made["id"]
        # the secret is masked after the create answer, ending like the real one
        assert shown["secret"] != full
        assert shown["secret"].startswith("whsec_")
        assert shown["secret"].endswith(full[-4:])
        assert shown["headers"]["X-Custom-Header"].endswith("alue")
        assert "a-long-custom-value" not in got.text
        assert (shown["timeout_seconds"], shown["max_retries"]) == (10, 5)

    changed = await client.patch(
        f"/api/v1/webhooks/{made['id']}",
        json={
            "name": "Updated Webhook Name",
            "events": ["booking.created", "booking.cancelled", "booking.rescheduled"],
            "status": "inactive",
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    data = changed.json()["data"]
    assert (data["name"], data["status"]) == ("Updated Webhook Name", "inactive")
    assert data["events"] == ["booking.created", "booking.cancelled", "booking.rescheduled"]
    # the same endpoint under /v4, with its format
    v4 = (
        await client.get(
            f"/v4/webhooks/{made['uuid'].removeprefix('wh_')}", headers=side_a.tenant.headers()
        )
    ).json()
    assert (v4["name"], v4["payloadFormat"]) == ("Updated Webhook Name", "meetario")

    deleted = await client.delete(f"/api/v1/webhooks/{made['uuid']}", headers=headers)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"message": "Webhook deleted successfully"}
    gone = await client.get(f"/api/v1/webhooks/{made['id']}", headers=headers)
    assert gone.status_code == 404
    assert gone.json()["error"] == "not_found"
    # the audit log names the webhook by its UUID, whichever id the path used
    entries = await fetch(
        settings,
        "SELECT action, resource_id FROM audit_log WHERE resource_type = 'webhook'"
        " AND company_id = $1 ORDER BY created_at",
        side_a.tenant.company_id,
    )
    mine = [(e["action"], e["resource_id"]) for e in entries if e["resource_id"] == plain(made)]
    assert mine == [
        ("webhook.create", plain(made)),
        ("webhook.update", plain(made)),
        ("webhook.delete", plain(made)),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": ["new.employee"]}, "events[0]"),
        ({"events": ["booking.exploded"]}, "events[0]"),
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"headers": {"Webhook-Id": "x"}}, "headers.Webhook-Id"),
        ({"timeout_seconds": 31}, "timeout_seconds"),
        ({"max_retries": -1}, "max_retries"),
        ({"name": ""}, "name"),
    ],
)
async def test_bad_webhooks_are_422_naming_the_field(
    client: Client, settings: Settings, side_a: Side, body: dict[str, Any], field: str
) -> None:
    headers = await admin_bearer(settings, side_a)
    valid = {"name": "Hook", "url": "https://example.com/hook", "events": ["booking.created"]}
    before = (await client.get("/api/v1/webhooks", headers=headers)).json()["data"]
    refused = await client.post("/api/v1/webhooks", json=valid | body, headers=headers)
    assert refused.status_code == 422, refused.text
    answer = refused.json()
    assert answer["error"] == "validation_error"
    assert field in [d["field"] for d in answer["details"]], answer
    # nothing was made
    assert (await client.get("/api/v1/webhooks", headers=headers)).json()["data"] == before


async def test_a_v4_update_keeps_a_meetario_endpoint_to_appointment_events(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await admin_bearer(settings, side_a)
    made = (
        await client.post(
            "/api/v1/webhooks",
            json={"name": "Hook", "url": "https://example.com/h", "events": ["booking.created"]},
            headers=headers,
        )
    ).json()["data"]
    plain_id = made["uuid"].removeprefix("wh_")
    refused = await client.patch(
        f"/v4/webhooks/{uuid.UUID(plain_id)}",
        json={"eventTypes": ["new_employee"]},
        headers=side_a.tenant.headers(),
    )
    assert refused.status_code == 400, refused.text
    assert "eventTypes[0]" in refused.text


async def test_scopes_and_roles(client: Client, settings: Settings, side_a: Side) -> None:
    reader = await admin_bearer(settings, side_a, "webhooks:read")
    assert (await client.get("/api/v1/webhooks", headers=reader)).status_code == 200
    body = {"name": "Hook", "url": "https://example.com/h", "events": ["booking.created"]}
    refused = await client.post("/api/v1/webhooks", json=body, headers=reader)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "forbidden"
    events_only = await admin_bearer(settings, side_a, "events:write")
    assert (await client.get("/api/v1/webhooks", headers=events_only)).status_code == 403
    # a member (not an admin) may not see the company's webhooks, whatever the scope
    member = await make_pat(
        settings, side_a.tenant, side_a.member_id, ("webhooks:write",), style="pat"
    )
    answer = await client.get(
        "/api/v1/webhooks", headers={"authorization": f"Bearer {member.token}"}
    )
    assert answer.status_code == 403, answer.text


async def test_test_delivery_in_the_sheets_shape(
    client: Client, settings: Settings, side_a: Side, receiver: Receiver
) -> None:
    headers = await admin_bearer(settings, side_a)
    made = (
        await client.post(
            "/api/v1/webhooks",
            json={"name": "Hook", "url": receiver.url("/t"), "events": ["booking.created"]},
            headers=headers,
        )
    ).json()["data"]
    tested = await client.post(f"/api/v1/webhooks/{made['id']}/test", headers=headers)
    assert tested.status_code == 200, tested.text
    answer = tested.json()
    assert answer["message"] == "Test webhook sent successfully"
    delivery = answer["delivery"]
    assert set(delivery) == {
        "id",
        "status",
        "response_code",
        "response_time_ms",
        "sent_at",
        "error",
    }
    assert delivery["id"].startswith("del_")
    assert (delivery["status"], delivery["response_code"]) == ("delivered", 200)
    assert delivery["sent_at"].endswith("Z")
    (got,) = receiver.on("/t")
    ping = Webhook(made["secret"]).verify(got.body, got.headers)
    assert ping["event"] == "webhook.test"
    assert ping["data"] == {"webhook_id": made["id"]}


@pytest.fixture
def https_receiver() -> Iterator[Receiver]:
    with running_receiver(self_signed_context()) as receiver:
        yield receiver


async def test_verify_ssl_false_reaches_a_self_signed_server_in_development(
    client: Client, settings: Settings, side_a: Side, https_receiver: Receiver
) -> None:
    headers = await admin_bearer(settings, side_a)
    results = {}
    for verify in (True, False):
        made = (
            await client.post(
                "/api/v1/webhooks",
                json={
                    "name": f"verify {verify}",
                    "url": https_receiver.url(f"/{verify}"),
                    "events": ["booking.created"],
                    "verify_ssl": verify,
                },
                headers=headers,
            )
        ).json()["data"]
        assert made["verify_ssl"] is verify
        tested = await client.post(f"/api/v1/webhooks/{made['id']}/test", headers=headers)
        results[verify] = tested.json()["delivery"]
    assert (results[True]["status"], results[True]["error"]) == ("failed", "tls")
    assert (results[False]["status"], results[False]["response_code"]) == ("delivered", 200)
    assert len(https_receiver.on("/False")) == 1
    assert https_receiver.on("/True") == []


async def test_verify_ssl_false_is_refused_where_private_networks_are_not_allowed(
    app: Litestar, settings: Settings, side_a: Side
) -> None:
    strict = msgspec.structs.replace(settings, webhook_allow_private_networks=False)
    async with AsyncTestClient(create_app(strict)) as client:
        headers = await admin_bearer(strict, side_a)
        body = {"name": "Hook", "url": "https://example.com/h", "events": ["booking.created"]}
        refused = await client.post(
            "/api/v1/webhooks", json=body | {"verify_ssl": False}, headers=headers
        )
        assert refused.status_code == 422, refused.text
        assert [d["field"] for d in refused.json()["details"]] == ["verify_ssl"]
        made = await client.post("/api/v1/webhooks", json=body, headers=headers)
        assert made.status_code == 201, made.text
        ref = made.json()["data"]["id"]
        patched = await client.patch(
            f"/api/v1/webhooks/{ref}", json={"verify_ssl": False}, headers=headers
        )
        assert patched.status_code == 422, patched.text
        shown = await client.get(f"/api/v1/webhooks/{ref}", headers=headers)
        assert shown.json()["data"]["verify_ssl"] is True
