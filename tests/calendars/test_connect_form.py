"""The hosted connect form: meetergo's connect link for providers without OAuth opens it, and
its submission connects the calendar and sends the user back with meetergo's parameters."""

from urllib.parse import parse_qs, unquote, urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.calendars.conftest import Account
from tests.support.factories import Side
from tests.support.radicale import PASSWORD

REDIRECT = "https://partner.example.test/calendars?step=2"


async def connect_link(client: AsyncTestClient[Litestar], side: Side, provider: str) -> str:
    response = await client.get(
        f"/v4/calendar-connections/auth/{provider}/url",
        params={"redirectUrl": REDIRECT},
        headers=side.tenant.headers(side.member_id),
    )
    assert response.status_code == 200, response.text
    assert response.json()["provider"] == provider
    link: str = response.json()["authUrl"]
    return link


async def test_the_link_opens_the_form_and_connecting_sends_the_user_back(
    client: AsyncTestClient[Litestar], side_a: Side, account: Account
) -> None:
    link = await connect_link(client, side_a, "caldav")
    assert link.startswith("https://book.example.test/cc?provider=caldav#sealed:v1:")
    page = await client.get("/cc?provider=caldav")
    assert page.status_code == 200
    assert 'id="k-password"' in page.text
    assert "Connect your calendar" in page.text
    german = await client.get("/cc?provider=ics&lang=de")
    assert "Kalender verbinden" in german.text
    assert 'id="k-password"' not in german.text  # a feed needs its address only

    token = unquote(urlsplit(link).fragment)
    api = "/v4/public/calendar-connection"
    body = {"url": account.server.url, "username": account.user, "password": "wrong"}
    refused = await client.post(api, json=body, headers={"x-connect-token": token})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "password"
    back = parse_qs(urlsplit(refused.json()["redirectUrl"]).query)
    assert back["error"] == ["true"]
    assert back["provider"] == ["caldav"]
    assert back["step"] == ["2"]

    done = await client.post(
        api, json=body | {"password": PASSWORD}, headers={"x-connect-token": token}
    )
    assert done.status_code == 201, done.text
    connection_id = done.json()["connectionId"]
    back = parse_qs(urlsplit(done.json()["redirectUrl"]).query)
    assert back == {
        "step": ["2"],
        "success": ["true"],
        "provider": ["caldav"],
        "connectionId": [connection_id],
    }
    listed = await client.get(
        "/v4/calendar-connections/connections", headers=side_a.tenant.headers(side_a.member_id)
    )
    assert connection_id in [c["id"] for c in listed.json()["connections"]]


async def test_a_link_that_does_not_open_is_not_found(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post(
        "/v4/public/calendar-connection",
        json={"url": "https://calendar.example.test/"},
        headers={"x-connect-token": "sealed:v1:nothing:here"},
    )
    assert response.status_code == 404
    assert response.json()["message"] == "This link is no longer valid"
