"""The booking page's HTML, headers and page data, without a browser."""

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.oauth.views import OAUTH_STRINGS
from slotwise.pages import views
from slotwise.pages.i18n import catalog
from tests.support.bookings import at, make_type, monday
from tests.support.factories import Side

Client = AsyncTestClient[Litestar]


def path_of(meeting_type: dict[str, Any]) -> str:
    return urlsplit(meeting_type["bookingUrl"]).path


def page_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found, "the page carries its data"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


async def test_the_page_is_strict_and_carries_its_first_month(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    day = monday()
    response = await client.get(f"{path_of(meeting_type)}?date={day}&timezone=Europe/Berlin")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce
    assert f'nonce="{nonce.group(1)}"' in response.text
    assert response.headers["referrer-policy"] == "no-referrer"
    data = page_data(response.text)
    assert data["month"] == day.isoformat()[:7]
    assert data["zone"] == "Europe/Berlin"
    spots = next(d["spots"] for d in data["slots"]["dates"] if d["date"] == day.isoformat())
    assert spots[0]["startTime"] == at(9).isoformat()
    assert '<h1 id="title">Consult</h1>' in response.text


async def test_each_response_gets_its_own_nonce(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    first = await client.get(path_of(meeting_type))
    second = await client.get(path_of(meeting_type))
    policy = "content-security-policy"
    assert first.headers[policy] != second.headers[policy]


async def test_language_from_the_link_then_the_browser(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    german = await client.get(path_of(meeting_type), headers={"accept-language": "de-DE,de;q=0.9"})
    assert '<html lang="de">' in german.text
    assert "Buchung bestätigen" in german.text
    english = await client.get(
        f"{path_of(meeting_type)}?lang=en", headers={"accept-language": "de-DE"}
    )
    assert '<html lang="en">' in english.text
    assert "Confirm booking" in english.text


async def test_bad_deep_links_still_give_a_page(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    response = await client.get(
        f"{path_of(meeting_type)}?timezone=Mars/Base&month=2026-13&date=nope&lang=xx"
    )
    assert response.status_code == 200
    data = page_data(response.text)
    assert data["zone"] == "Europe/Berlin"
    assert data["date"] is None


async def test_embedded_pages_have_no_chrome(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    response = await client.get(f"{path_of(meeting_type)}?embed=1")
    assert '<body class="embedded">' in response.text
    assert "<header" not in response.text
    assert page_data(response.text)["embed"] is True


async def test_unknown_and_disabled_pages_are_html_404s(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    await client.patch(
        f"/v4/meeting-type/{meeting_type['id']}",
        json={"enabled": False},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    for path in (path_of(meeting_type), "/nobody-here/nothing-here"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Page not found" in response.text
    api = await client.get("/v4/nothing")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


async def test_assets_are_served_by_the_app(client: Client) -> None:
    script = await client.get("/ui/booking.js")
    style = await client.get("/ui/booking.css")
    assert script.status_code == style.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "text/css" in style.headers["content-type"]
    assert "http" not in style.text, "no stylesheet refers to another host"


def test_every_page_string_has_a_german_translation() -> None:
    templates = Path(views.__file__).parent / "templates"
    pattern = re.compile(r"""_\((["'])(.+?)\1\)""")
    wanted = {
        match.group(2)
        for path in templates.glob("*.html")
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    }
    wanted |= set(views.SCRIPT_STRINGS) | set(views.MANAGE_STRINGS) | set(views.DECIDE_STRINGS)
    wanted |= set(views.OPT_IN_STRINGS) | set(views.CONNECT_STRINGS) | set(OAUTH_STRINGS)
    wanted |= set(views.CHANNEL_LABELS.values()) | {views.VIDEO}
    german = catalog("de")
    assert sorted(wanted - german.keys()) == []
    assert all((german[text] and german[text] != text) or text == "Name" for text in wanted)


async def test_the_company_brand_shows_and_ours_can_hide(client: Client, side_a: Side) -> None:
    meeting_type = await make_type(client, side_a)
    plain = await client.get(path_of(meeting_type))
    assert "Scheduling by slotwise" in plain.text
    assert "frame-ancestors *" in plain.headers["content-security-policy"]
    await client.patch(
        "/v4/company/branding",
        json={
            "displayName": "Northwind Health",
            "primaryColor": "#FDE047",
            "hidePoweredBy": True,
            "defaultLanguage": "de",
            "allowedEmbedOrigins": ["https://app.northwind.example"],
            "privacyPolicyUrl": "https://northwind.example/privacy",
        },
        headers=side_a.tenant.headers(),
    )
    branded = await client.get(path_of(meeting_type))
    assert '<p class="brand">Northwind Health</p>' in branded.text
    assert "--brand: #FDE047; --brand-text: #111827" in branded.text
    assert "Scheduling by slotwise" not in branded.text
    assert '<html lang="de">' in branded.text
    assert 'href="https://northwind.example/privacy"' in branded.text
    policy = branded.headers["content-security-policy"]
    assert "frame-ancestors https://app.northwind.example" in policy
    host_slug = path_of(meeting_type).split("/")[1]
    missing = await client.get(f"/{host_slug}/no-such-type")
    assert missing.status_code == 404
    assert "Northwind Health" in missing.text
    assert "Seite nicht gefunden" in missing.text


async def test_the_personal_page_lists_bookable_types(client: Client, side_a: Side) -> None:
    shown = await make_type(client, side_a)
    hidden = await make_type(client, side_a, meetingInfo={"name": "Private session"})
    await client.patch(
        f"/v4/meeting-type/{hidden['id']}",
        json={"enabled": False},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    host_slug = path_of(shown).split("/")[1]
    response = await client.get(f"/{host_slug}")
    assert response.status_code == 200
    assert f'href="{path_of(shown)}"' in response.text
    assert "Consult" in response.text
    assert "Private session" not in response.text
    unknown = await client.get("/nobody-at-all")
    assert unknown.status_code == 404
    assert "Page not found" in unknown.text
    api = await client.get("/v4")
    assert api.status_code == 404
    assert api.json()["statusCode"] == 404
