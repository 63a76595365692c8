"""/v4/company/branding: read, change, validate; only the company's admins and its keys."""

from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.bookings import make_type
from tests.support.factories import Side
from tests.support.images import png

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
    "logoUrl": None,
    "logoStatus": None,
    "logoError": None,
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


async def test_an_uploaded_logo_is_served_by_slotwise(client: Client, side_a: Side) -> None:
    headers = side_a.tenant.headers()
    image = png(4, 2)
    response = await client.put(
        f"{PATH}/logo", content=image, headers=headers | {"content-type": "image/png"}
    )
    assert response.status_code == 200, response.text
    logo_url = response.json()["logoUrl"]
    assert response.json()["logoStatus"] == "ready"
    path = urlsplit(logo_url)
    assert path.path == f"/brand/{side_a.tenant.company_id}/logo"
    served = await client.get(f"{path.path}?{path.query}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == image
    assert "immutable" in served.headers["cache-control"]
    meeting_type = await make_type(client, side_a)
    page = await client.get(urlsplit(meeting_type["bookingUrl"]).path)
    assert f'src="{path.path}?{path.query}"' in page.text
    removed = await client.delete(f"{PATH}/logo", headers=headers)
    assert removed.json()["logoUrl"] is None
    assert (await client.get(path.path)).status_code == 404


async def test_logos_must_be_small_images(client: Client, side_a: Side) -> None:
    headers = side_a.tenant.headers()
    text = await client.put(
        f"{PATH}/logo",
        content=b"<svg onload=alert(1)>",
        headers=headers | {"content-type": "image/svg+xml"},
    )
    assert text.status_code == 415
    assert text.json()["code"] == "unsupported_media_type"
    huge = png() + b"\x00" * (256 * 1024)
    too_big = await client.put(
        f"{PATH}/logo", content=huge, headers=headers | {"content-type": "image/png"}
    )
    assert too_big.status_code == 413
    assert (await client.get(PATH, headers=headers)).json()["logoUrl"] is None
