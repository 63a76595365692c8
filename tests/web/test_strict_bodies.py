"""JSON bodies have the types the document says, and OPTIONS tells every method of a path."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.factories import Side

Client = AsyncTestClient[Litestar]


async def test_a_body_value_of_the_wrong_type_is_refused(client: Client, side_a: Side) -> None:
    headers = side_a.tenant.headers()
    for value in (0, 1, "true", None):
        response = await client.patch(
            "/v4/company/branding", json={"hidePoweredBy": value}, headers=headers
        )
        assert response.status_code == 400, value
        assert response.json()["errors"][0]["field"] == "hidePoweredBy", response.text
    reminders = await client.patch(
        "/v4/company/notifications", json={"reminderDefaults": ["60"]}, headers=headers
    )
    assert reminders.status_code == 400
    assert reminders.json()["errors"][0]["field"] == "reminderDefaults[0]"
    fine = await client.patch("/v4/company/branding", json={"hidePoweredBy": True}, headers=headers)
    assert fine.status_code == 200, fine.text
    assert fine.json()["hidePoweredBy"] is True


async def test_options_lists_every_method_of_the_path(client: Client) -> None:
    for path, allowed in (
        ("/v4/company/branding", "GET, OPTIONS, PATCH"),
        ("/v4/api-key", "GET, OPTIONS, POST"),
        ("/webhooks/00000000-0000-7000-8000-000000000000", "DELETE, GET, OPTIONS, PATCH"),
    ):
        response = await client.options(path)
        assert response.status_code == 204
        assert response.headers["allow"] == allowed, path
