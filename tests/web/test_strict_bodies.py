"""JSON bodies have the types the document says, no text holds a NUL character, and OPTIONS
tells every method of a path."""

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


async def test_whole_numbers_written_with_a_fraction_are_integers(
    client: Client, side_a: Side
) -> None:
    response = await client.patch(
        "/v4/company/notifications",
        json={"reminderDefaults": [60.0, 1440]},
        headers=side_a.tenant.headers(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["reminderDefaults"] == [1440, 60]
    half = await client.patch(
        "/v4/company/notifications",
        json={"reminderDefaults": [60.5]},
        headers=side_a.tenant.headers(),
    )
    assert half.status_code == 400
    assert half.json()["errors"][0]["field"] == "reminderDefaults[0]"


async def test_nul_characters_are_refused_naming_the_field(client: Client, side_a: Side) -> None:
    user = side_a.tenant.headers(side_a.member_id)
    before = (await client.get("/v4/personal-page/me", headers=user)).json()
    for body, field in (
        ({"onlineProfiles": {"git\u0000hub": "https://example.test"}}, "onlineProfiles.github"),
        ({"onlineProfiles": {"github": "https://example.test/\u0000"}}, "onlineProfiles.github"),
        ({"description": "a\u0000b"}, "description"),
    ):
        response = await client.patch(
            "/v4/personal-page/me",
            json=body,
            headers=user,
        )
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"] == field
    assert (await client.get("/v4/personal-page/me", headers=user)).json() == before
    query = await client.get(
        "/v4/appointment/paginated",
        params={"page": 0, "pageSize": 10, "search": "a\x00"},
        headers=user,
    )
    assert query.status_code == 400
    assert query.json()["errors"][0]["field"] == "search"


async def test_options_lists_every_method_of_the_path(client: Client) -> None:
    for path, allowed in (
        ("/v4/company/branding", "GET, OPTIONS, PATCH"),
        ("/v4/api-key", "GET, OPTIONS, POST"),
        ("/webhooks/00000000-0000-7000-8000-000000000000", "DELETE, GET, OPTIONS, PATCH"),
    ):
        response = await client.options(path)
        assert response.status_code == 204
        assert response.headers["allow"] == allowed, path
