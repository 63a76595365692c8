"""/v4/personal-page/me: a host's own colours, description and the order of their page."""

from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.bookings import make_type
from tests.support.factories import Side

Client = AsyncTestClient[Litestar]
PATH = "/v4/personal-page/me"


async def test_defaults_changes_and_the_pages_follow(client: Client, side_a: Side) -> None:
    headers = side_a.tenant.headers(side_a.member_id)
    first = await make_type(client, side_a, meetingInfo={"name": "First talk"})
    second = await make_type(client, side_a, meetingInfo={"name": "Second talk"})
    assert (await client.get(PATH, headers=headers)).json() == {
        "useCustomColors": False,
        "primaryColor": None,
        "secondaryColor": None,
        "headerImage": None,
        "description": None,
        "showAllMeetingTypes": True,
        "meetingTypeOrder": [],
        "onlineProfiles": {},
    }
    change: dict[str, Any] = {
        "useCustomColors": True,
        "primaryColor": "#7C3AED",
        "description": "Coaching for teams.",
        "meetingTypeOrder": [second["id"]],
        "onlineProfiles": {"linkedin": "https://linkedin.example/in/mia"},
    }
    response = await client.patch(PATH, json=change, headers=headers)
    assert response.status_code == 200, response.text
    assert {key: response.json()[key] for key in change} == change
    host = urlsplit(first["bookingUrl"]).path.split("/")[1]
    personal = (await client.get(f"/{host}")).text
    assert "Coaching for teams." in personal
    assert personal.index("Second talk") < personal.index("First talk")
    booking = (await client.get(urlsplit(first["bookingUrl"]).path)).text
    assert "--brand: #7C3AED" in booking
    await client.patch(PATH, json={"showAllMeetingTypes": False}, headers=headers)
    only = (await client.get(f"/{host}")).text
    assert "Second talk" in only
    assert "First talk" not in only


async def test_bad_values_and_other_hosts_types_are_refused(
    client: Client, side_a: Side, side_b: Side
) -> None:
    foreign = await make_type(client, side_b)
    headers = side_a.tenant.headers(side_a.member_id)
    for body, field in (
        ({"primaryColor": "purple"}, "primaryColor"),
        ({"headerImage": "http://plain.example/x.png"}, "headerImage"),
        ({"meetingTypeOrder": [foreign["id"]]}, "meetingTypeOrder[0]"),
        ({"pageTitle": "x"}, "pageTitle"),
    ):
        response = await client.patch(PATH, json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["field"] == field
    after = (await client.get(PATH, headers=headers)).json()
    assert after["meetingTypeOrder"] == []
    assert after["primaryColor"] is None
