"""POST /v4/user: one call provisions a user that can be booked at once."""

import asyncio
from urllib.parse import urlparse

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.factories import Side

NEW_USER = {
    "email": "jane.doe@partner.test",
    "givenName": "Jane",
    "familyName": "Doe",
    "timezone": "America/New_York",
}


async def _count(settings: Settings, sql: str, *args: object) -> int:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


async def test_provisioning_creates_user_availability_meeting_type_and_url(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    response = await client.post("/v4/user", json=NEW_USER, headers=side_a.tenant.headers())
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"userId", "availabilityId", "meetingTypeId", "bookingUrl", "companyId"}
    assert body["companyId"] == str(side_a.tenant.company_id)
    url = urlparse(body["bookingUrl"])
    assert f"{url.scheme}://{url.netloc}" == settings.public_url
    user_slug, type_slug = url.path.strip("/").split("/")
    assert user_slug == "jane-doe"
    assert type_slug == "30min-meeting"

    as_user = side_a.tenant.headers(body["userId"])
    user = (await client.get(f"/v4/user/{body['userId']}", headers=as_user)).json()
    assert (user["email"], user["slug"], user["timezone"]) == (
        "jane.doe@partner.test",
        "jane-doe",
        "America/New_York",
    )
    assert user["userType"] == "api-platform"
    availability = (
        await client.get(f"/v4/availability/{body['availabilityId']}", headers=as_user)
    ).json()
    assert availability["isDefault"] is True
    assert availability["timezone"] == "America/New_York"
    assert availability["schedule"]["monday"] == {
        "enabled": True,
        "hours": [{"start": "09:00", "end": "17:00"}],
    }
    assert availability["schedule"]["saturday"]["enabled"] is False
    meeting_type = (
        await client.get(f"/v4/meeting-type/{body['meetingTypeId']}", headers=as_user)
    ).json()
    assert meeting_type["meetingInfo"]["name"] == "30min Meeting"
    assert meeting_type["meetingInfo"]["duration"] == 30
    assert meeting_type["bookingUrl"] == body["bookingUrl"]

    page = await client.get(f"/v4/public/booking-page/{user_slug}/{type_slug}")
    assert page.status_code == 200
    assert page.json()["meetingTypeId"] == body["meetingTypeId"]
    assert page.json()["userId"] == body["userId"]


async def test_inline_availability_and_meeting_type(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    body = NEW_USER | {
        "email": "inline@partner.test",
        "slug": "dr-inline-person",
        "availability": {
            "name": "Clinic hours",
            "timezone": "Europe/Berlin",
            "schedule": [{"dayOfWeek": "tuesday", "intervals": [{"from": "08:00", "to": "12:00"}]}],
        },
        "meetingType": {"name": "Consultation", "duration": 45, "channel": "google_meet"},
    }
    created = await client.post("/v4/user", json=body, headers=side_a.tenant.headers())
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["bookingUrl"].endswith("/dr-inline-person/consultation")
    as_user = side_a.tenant.headers(out["userId"])
    availability = (
        await client.get(f"/v4/availability/{out['availabilityId']}", headers=as_user)
    ).json()
    assert availability["name"] == "Clinic hours"
    assert availability["timezone"] == "Europe/Berlin"
    assert availability["schedule"]["tuesday"]["hours"] == [{"start": "08:00", "end": "12:00"}]
    assert availability["schedule"]["monday"]["enabled"] is False
    meeting_type = (
        await client.get(f"/v4/meeting-type/{out['meetingTypeId']}", headers=as_user)
    ).json()
    assert meeting_type["meetingInfo"]["duration"] == 45
    assert meeting_type["meetingInfo"]["channel"] == "google"


async def test_firstname_lastname_are_accepted(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    body = {"email": "fl@partner.test", "firstname": "Fritz", "lastname": "Lang", "timezone": "UTC"}
    created = await client.post("/v4/user", json=body, headers=side_a.tenant.headers())
    assert created.status_code == 201, created.text
    assert created.json()["bookingUrl"].endswith("/fritz-lang/30min-meeting")


async def test_slug_collisions_get_a_suffix_and_explicit_taken_slug_is_409(
    client: AsyncTestClient[Litestar], side_a: Side, side_b: Side
) -> None:
    first = await client.post("/v4/user", json=NEW_USER, headers=side_a.tenant.headers())
    second = await client.post(
        "/v4/user", json=NEW_USER | {"email": "jane2@partner.test"}, headers=side_b.tenant.headers()
    )
    assert first.status_code == second.status_code == 201
    first_slug = urlparse(first.json()["bookingUrl"]).path.split("/")[1]
    second_slug = urlparse(second.json()["bookingUrl"]).path.split("/")[1]
    assert first_slug == "jane-doe"
    assert second_slug.startswith("jane-doe-")
    assert len(second_slug) == len("jane-doe-") + 4
    taken = await client.post(
        "/v4/user",
        json=NEW_USER | {"email": "jane3@partner.test", "slug": "jane-doe"},
        headers=side_a.tenant.headers(),
    )
    assert taken.status_code == 409
    assert taken.json()["message"] == "Slug already exists"


async def test_an_email_is_unique_within_its_company_only(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side, side_b: Side
) -> None:
    """Another company's staff stay unseen: the same address is free in every company, and
    a company's second user with it is a 409 that creates nothing."""
    assert (
        await client.post("/v4/user", json=NEW_USER, headers=side_a.tenant.headers())
    ).status_code == 201
    elsewhere = await client.post(
        "/v4/user",
        json=NEW_USER | {"email": "JANE.DOE@partner.test", "slug": "jane-at-bravo"},
        headers=side_b.tenant.headers(),
    )
    assert elsewhere.status_code == 201, elsewhere.text
    count_a = "SELECT count(*) FROM {} WHERE company_id = $1"
    before = [
        await _count(settings, count_a.format(t), side_a.tenant.company_id)
        for t in ("availability", "meeting_type", '"user"')
    ]
    again = await client.post(
        "/v4/user",
        json=NEW_USER | {"email": "JANE.DOE@partner.test", "slug": "jane-again"},
        headers=side_a.tenant.headers(),
    )
    assert again.status_code == 409
    assert again.json()["message"] == "A user with this email already exists"
    after = [
        await _count(settings, count_a.format(t), side_a.tenant.company_id)
        for t in ("availability", "meeting_type", '"user"')
    ]
    assert after == before


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"email": "not-an-email"}, {"email"}),
        ({"timezone": "Mars/Olympus"}, {"timezone"}),
        ({"givenName": "  ", "familyName": ""}, {"givenName", "familyName"}),
        ({"email": "x", "timezone": "Nowhere"}, {"email", "timezone"}),
        ({"slug": "ab"}, {"slug"}),
        (
            {
                "availability": {
                    "schedule": {
                        "monday": {"enabled": True, "hours": [{"start": "9", "end": "17:00"}]}
                    }
                }
            },
            {"availability.schedule.monday.hours[0].start"},
        ),
        ({"meetingType": {"duration": 1000}}, {"meetingType.duration"}),
        ({"emial": "typo@x.test"}, {"emial"}),
    ],
)
async def test_bad_input_names_each_field_and_changes_nothing(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    side_a: Side,
    change: dict[str, object],
    fields: set[str],
) -> None:
    before = await _count(settings, 'SELECT count(*) FROM "user"')
    response = await client.post(
        "/v4/user", json=NEW_USER | change, headers=side_a.tenant.headers()
    )
    assert response.status_code == 400, response.text
    assert {e["field"] for e in response.json()["errors"]} == fields
    assert await _count(settings, 'SELECT count(*) FROM "user"') == before


async def test_personal_access_tokens_cannot_provision(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    pat = {"authorization": f"Bearer {side_a.admin_pat.token}"}
    response = await client.post("/v4/user", json=NEW_USER, headers=pat)
    assert response.status_code == 403


async def test_concurrent_provisioning_with_one_idempotency_key_creates_one_user(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    headers = side_a.tenant.headers() | {"Idempotency-Key": "provision-jane-1"}
    responses = await asyncio.gather(
        *(client.post("/v4/user", json=NEW_USER, headers=headers) for _ in range(20))
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}
    assert statuses.count(201) >= 1
    created = [r for r in responses if r.status_code == 201]
    assert len({r.content for r in created}) == 1
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["code"] == "idempotency_key_in_progress"
    assert (
        await _count(settings, 'SELECT count(*) FROM "user" WHERE email = $1', NEW_USER["email"])
        == 1
    )
    replay = await client.post("/v4/user", json=NEW_USER, headers=headers)
    assert replay.status_code == 201
    assert replay.content == created[0].content
    assert replay.headers["idempotent-replayed"] == "true"
