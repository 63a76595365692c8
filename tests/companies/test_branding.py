"""/v4/company/branding: read, change, validate; only the company's admins and its keys."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.factories import Side

Client = AsyncTestClient[Litestar]
PATH = "/v4/company/branding"
DEFAULT = {
    "displayName": None,
    "primaryColor": None,
    "secondaryColor": None,
    "hidePoweredBy": False,
    "defaultLanguage": None,
    "privacyPolicyUrl": None,
    "allowedEmbedOrigins": [],
}


async def test_defaults_then_changes(client: Client, side_a: Side, side_b: Side) -> None:
    headers = side_a.tenant.headers()
    assert (await client.get(PATH, headers=headers)).json() == DEFAULT
    change = {
        "displayName": "Northwind Health",
        "primaryColor": "#0F766E",
        "hidePoweredBy": True,
        "defaultLanguage": "de",
        "privacyPolicyUrl": "https://northwind.example/privacy",
        "allowedEmbedOrigins": ["https://app.northwind.example", "http://localhost:3000"],
    }
    response = await client.patch(PATH, json=change, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == DEFAULT | change
    cleared = await client.patch(PATH, json={"displayName": None}, headers=headers)
    assert cleared.json() == DEFAULT | change | {"displayName": None}
    assert (await client.get(PATH, headers=side_b.tenant.headers())).json() == DEFAULT


async def test_bad_values_name_their_field_and_change_nothing(client: Client, side_a: Side) -> None:
    headers = side_a.tenant.headers()
    for body, field in (
        ({"primaryColor": "teal"}, "primaryColor"),
        ({"secondaryColor": "#12345"}, "secondaryColor"),
        ({"privacyPolicyUrl": "http://plain.example/privacy"}, "privacyPolicyUrl"),
        ({"allowedEmbedOrigins": ["https://a.example/path"]}, "allowedEmbedOrigins[0]"),
        ({"defaultLanguage": "fr"}, "defaultLanguage"),
        ({"displayName": ""}, "displayName"),
        ({"logo": "x"}, "logo"),
    ):
        response = await client.patch(PATH, json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["field"] == field, response.json()
    assert (await client.get(PATH, headers=headers)).json() == DEFAULT


async def test_members_may_not_change_it(client: Client, side_a: Side) -> None:
    assert "account" in side_a.account_pat.scopes
    member = {"authorization": f"Bearer {side_a.account_pat.token}"}
    response = await client.patch(PATH, json={"primaryColor": "#000000"}, headers=member)
    assert response.status_code == 403
    assert response.json()["message"] == "Admin access required"
    assert (await client.get(PATH, headers=side_a.tenant.headers())).json() == DEFAULT
