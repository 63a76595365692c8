"""Every request example in the document is a payload the API takes: sent as shown (with real
ids and a free start where the example stands in for them), each one succeeds."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.web.examples import MEETING_TYPE_ID, REQUEST_EXAMPLES, START
from tests.support.factories import Side

Client = AsyncTestClient[Litestar]
DOCUMENT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def test_the_committed_document_shows_each_example() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    shown = {
        operation["operationId"]: body["examples"]["example"]["value"]
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        and (body := operation.get("requestBody", {}).get("content", {}).get("application/json"))
        and "examples" in body
    }
    assert shown == REQUEST_EXAMPLES


async def test_every_request_example_succeeds(client: Client, side_a: Side) -> None:
    owner = side_a.tenant.headers()
    user = await client.post("/v4/user", json=REQUEST_EXAMPLES["createUser"], headers=owner)
    assert user.status_code == 201, user.text
    made = user.json()
    as_user = side_a.tenant.headers(made["userId"])
    for operation, path in (
        ("createAvailability", "/v4/availability"),
        ("createMeetingType", "/v4/meeting-type"),
        ("createWebhook", "/webhooks"),
        ("createApiKey", "/v4/api-key"),
        ("createPersonalAccessToken", f"/v4/user/{made['userId']}/personal-access-token"),
    ):
        response = await client.post(path, json=REQUEST_EXAMPLES[operation], headers=as_user)
        assert response.status_code == 201, (operation, response.text)

    first = datetime.now(UTC).date() + timedelta(days=1)
    slots = await client.get(
        "/v4/booking-availability",
        params={
            "meetingTypeId": made["meetingTypeId"],
            "start": first.isoformat(),
            "end": (first + timedelta(days=13)).isoformat(),
        },
        headers=as_user,
    )
    assert slots.status_code == 200, slots.text
    free = next(day["spots"][0]["startTime"] for day in slots.json()["dates"] if day["spots"])
    example = REQUEST_EXAMPLES["createBooking"]
    assert (example["meetingTypeId"], example["start"]) == (MEETING_TYPE_ID, START)
    booking = example | {"meetingTypeId": made["meetingTypeId"], "start": free}
    booked = await client.post("/v4/booking", json=booking, headers=as_user)
    assert booked.status_code == 201, booked.text
    assert "appointmentId" in booked.json()
