"""JSON bodies have the types the document says, nest only a few levels, no text holds a NUL
character, and OPTIONS tells every method of a path."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.web.json_depth import DEPTH_MESSAGE, MAX_DEPTH, too_deep
from tests.support.bookings import at, book, make_type, utc
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


def _nested(depth: int, opening: str = "[") -> str:
    closing = {"[": "]", "{": "}"}[opening]
    inner = '"x":' if opening == "{" else ""
    return (opening + inner) * depth + "1" * (opening == "{") + closing * depth


async def test_deeply_nested_bodies_are_refused_naming_the_member(
    client: Client, side_a: Side
) -> None:
    """Thousands of nested arrays or objects made the decoders recurse into a 500; a body that
    nests deeper than any request document is a 400 before it is decoded, on every route."""
    mt = await make_type(client, side_a)
    created = await book(client, side_a, mt, at(10))
    appointment, secret = created["appointmentId"], created["secret"]
    routes = [
        (f"/v4/public/appointment/{appointment}/cancel", "reason", {}),
        (f"/v4/public/appointment/{appointment}/reschedule", "start", {}),
        (
            f"/v4/appointment/{appointment}/cancel",
            "reason",
            side_a.tenant.headers(side_a.member_id),
        ),
        (
            "/v4/availability",
            "name",
            side_a.tenant.headers(side_a.member_id) | {"Idempotency-Key": "deep-1"},
        ),
    ]
    for url, member, headers in routes:
        for nested in (_nested(10_000), _nested(10_000, "{"), _nested(600), _nested(33)):
            body = f'{{"secret": "{secret}", "{member}": {nested}}}'
            response = await client.post(
                url, content=body, headers=headers | {"Content-Type": "application/json"}
            )
            assert response.status_code == 400, (url, response.text)
            assert response.json()["errors"] == [{"field": member, "message": DEPTH_MESSAGE}]
    whole = await client.post(
        f"/v4/public/appointment/{appointment}/cancel",
        content=_nested(5_000),
        headers={"Content-Type": "application/json"},
    )
    assert (whole.status_code, whole.json()["errors"][0]["field"]) == (400, "body")
    form = await client.post(
        "/v4/user",
        data={"email": "deep@example.test", "meetingType": _nested(5_000)},
        headers=side_a.tenant.headers(),
    )
    assert form.status_code == 400, form.text
    assert form.json()["errors"] == [{"field": "meetingType", "message": DEPTH_MESSAGE}]
    still = await client.get(
        f"/v4/public/appointment/{appointment}", headers={"X-Appointment-Secret": secret}
    )
    assert still.status_code == 200
    assert still.json()["appointment"]["start"] == utc(at(10))


def test_depth_counts_brackets_outside_strings_only() -> None:
    assert too_deep(_nested(MAX_DEPTH)) is None
    assert too_deep(_nested(MAX_DEPTH + 1)) == ""
    assert too_deep(f'{{"a": "{"[" * 100}", "b": {_nested(MAX_DEPTH - 1)}}}') is None
    assert too_deep(f'{{"a": 1, "b\\"c": {_nested(MAX_DEPTH)}}}') == 'b"c'
