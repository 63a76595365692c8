"""Meeting types over HTTP: defaults, validation, slugs, soft delete and the 409/400 rules."""

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.meeting_types.service import booking_url
from slotwise.meeting_types.validation import inline_meeting_type
from slotwise.settings import Settings
from tests.support.bookings import at, book
from tests.support.factories import Side, make_user

Client = AsyncTestClient[Litestar]
INFO = {"name": "Intro Call", "duration": 30, "channel": "zoom"}


async def fresh_user(settings: Settings, side: Side) -> dict[str, str]:
    """Headers acting as a new member without availabilities or meeting types."""
    user_id = await make_user(settings, side.tenant, given_name="Fresh")
    return side.tenant.headers(user_id)


async def create(client: Client, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body = {"meetingInfo": INFO} | body
    response = await client.post("/v4/meeting-type", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def refused(
    client: Client, method: str, url: str, headers: dict[str, str], body: object
) -> list[str]:
    response = await client.request(method, url, json=body, headers=headers)
    assert response.status_code == 400, response.text
    return [error["field"] for error in response.json()["errors"]]


async def test_create_fills_in_meetergo_defaults(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    me = (await client.get("/v4/user/me", headers=headers)).json()
    created = await create(
        client, headers, meetingInfo={"name": "Strategy Session", "duration": 90, "channel": "zoom"}
    )
    assert created["slug"] == "strategy-session"
    assert created["bookingUrl"] == f"{settings.public_url}/{me['slug']}/strategy-session"
    assert created["timeslotInterval"] == 60  # the duration, capped at 60
    assert created["bookingMinimum"] == 30
    assert created["daysIntoFuture"] == {"mode": "limit", "bookingLimit": 43200}
    assert created["spots"] == 1
    assert created["enabled"] is True
    assert created["meetingOptions"] == {
        "allowedDurations": [],
        "requireHostConfirmation": False,
        "doubleOptIn": False,
        "allowedChannels": [],
    }
    assert created["meetingInfo"] == {
        "name": "Strategy Session",
        "description": "",
        "duration": 90,
        "channel": "zoom",
        "customChannelName": None,
        "customChannelLink": None,
        "bufferBefore": 0,
        "bufferAfter": 0,
        "color": None,
        "enableRedirect": False,
        "redirect": None,
        "passEventDetailsToRedirect": False,
    }
    assert (created["metadata"], created["locations"], created["customFields"]) == ({}, [], [])
    assert created["userId"] == me["id"]
    # a user without availabilities gets the standard working week as the default
    availabilities = (await client.get("/v4/availability", headers=headers)).json()
    assert [(a["id"], a["isDefault"]) for a in availabilities] == [
        (created["availabilityId"], True)
    ]
    assert availabilities[0]["timezone"] == me["timezone"]
    assert availabilities[0]["schedule"]["monday"] == {
        "enabled": True,
        "hours": [{"start": "09:00", "end": "17:00"}],
    }

    short = await create(client, headers, meetingInfo=INFO | {"duration": 20})
    assert short["timeslotInterval"] == 20
    assert short["availabilityId"] == created["availabilityId"]
    fetched = await client.get(f"/v4/meeting-type/{created['id']}", headers=headers)
    assert fetched.json() == created
    listed = (await client.get("/v4/meeting-type", headers=headers)).json()
    assert [m["id"] for m in listed] == [created["id"], short["id"]]


async def test_create_with_every_field(client: Client, settings: Settings, side_a: Side) -> None:
    headers = await fresh_user(settings, side_a)
    body = {
        "meetingInfo": {
            "name": "Workshop",
            "description": "Bring a laptop",
            "duration": 120,
            "channel": "local",
            "bufferBefore": 15,
            "bufferAfter": 120,
            "color": "rgb(0, 153, 255)",
        },
        "slug": "team-workshop",
        "enabled": False,
        "availability": {
            "name": "Workshop hours",
            "timezone": "Europe/Vienna",
            "schedule": [
                {"dayOfWeek": "wednesday", "intervals": [{"from": "10:00", "to": "16:00"}]}
            ],
        },
        "timeslotInterval": 15,
        "bookingMinimum": 1440,
        "daysIntoFuture": {"mode": "range", "rangeMin": "2030-01-01", "rangeMax": "2030-03-31"},
        "spots": 12,
        "meetingOptions": {"allowedDurations": [90, 60, 120], "requireHostConfirmation": True},
        "metadata": {"crmId": "42"},
        "color": "rgb(0, 153, 255)",
        "locations": [{"type": "in_person", "address": "Hauptstraße 1, Wien"}],
        "price": "150.5",
        "currency": "EUR",
        "customFields": [
            {"key": "company", "label": "Company", "type": "text", "required": True},
            {"key": "size", "label": "Team size", "type": "select", "options": ["1-5", "6+"]},
        ],
    }
    created = await create(client, headers, **body)
    assert created["meetingInfo"]["bufferAfter"] == 120
    assert created["meetingInfo"]["channel"] == "local"
    assert (created["slug"], created["enabled"], created["spots"]) == ("team-workshop", False, 12)
    assert created["daysIntoFuture"] == body["daysIntoFuture"]
    assert created["meetingOptions"] == {
        "allowedDurations": [60, 90, 120],
        "requireHostConfirmation": True,
        "doubleOptIn": False,
        "allowedChannels": [],
    }
    assert (created["price"], created["currency"]) == ("150.50", "EUR")
    assert created["color"] == created["meetingInfo"]["color"] == "rgb(0, 153, 255)"
    assert created["locations"] == [
        {"type": "in_person", "value": None, "address": "Hauptstraße 1, Wien", "display": None}
    ]
    assert created["customFields"][1]["options"] == ["1-5", "6+"]
    assert created["customFields"][0]["required"] is True
    availability = await client.get(
        f"/v4/availability/{created['availabilityId']}", headers=headers
    )
    assert availability.json()["name"] == "Workshop hours"
    assert availability.json()["isDefault"] is True
    assert availability.json()["schedule"]["wednesday"]["hours"] == [
        {"start": "10:00", "end": "16:00"}
    ]
    assert (await client.get(f"/v4/meeting-type/{created['id']}", headers=headers)).json() == (
        created
    )


async def test_availability_id_or_inline_availability(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    own = await client.post(
        "/v4/availability", json={"name": "Own", "timezone": "UTC"}, headers=headers
    )
    inline = {"name": "Inline", "timezone": "UTC"}
    both = await refused(
        client,
        "POST",
        "/v4/meeting-type",
        headers,
        {"meetingInfo": INFO, "availabilityId": own.json()["id"], "availability": inline},
    )
    assert both == ["availability"]
    bad_zone = await refused(
        client,
        "POST",
        "/v4/meeting-type",
        headers,
        {"meetingInfo": INFO, "availability": {"name": "X", "timezone": "Berlin"}},
    )
    assert bad_zone == ["availability.timezone"]
    bad_schedule = await refused(
        client,
        "POST",
        "/v4/meeting-type",
        headers,
        {"meetingInfo": INFO, "availability": inline | {"schedule": {"monday": {"hours": []}}}},
    )
    assert bad_schedule == ["availability.schedule.monday.enabled"]

    foreign = side_a.member_scheduling.availability_id
    response = await client.post(
        "/v4/meeting-type",
        json={"meetingInfo": INFO, "availabilityId": str(foreign)},
        headers=headers,
    )
    assert (response.status_code, response.json()["message"]) == (404, "Availability not found")
    assert (await client.get("/v4/meeting-type", headers=headers)).json() == []
    assert len((await client.get("/v4/availability", headers=headers)).json()) == 1

    chosen = await create(client, headers, availabilityId=own.json()["id"])
    assert chosen["availabilityId"] == own.json()["id"]


async def test_custom_channel_needs_a_link(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    custom = INFO | {"channel": "custom", "customChannelName": "Our room"}
    fields = await refused(client, "POST", "/v4/meeting-type", headers, {"meetingInfo": custom})
    assert fields == ["meetingInfo.customChannelLink"]
    created = await create(
        client, headers, meetingInfo=custom | {"customChannelLink": "https://meet.example.test/r"}
    )
    assert created["meetingInfo"]["customChannelLink"] == "https://meet.example.test/r"

    plain = await create(client, headers)
    url = f"/v4/meeting-type/{plain['id']}"
    fields = await refused(client, "PATCH", url, headers, {"meetingInfo": {"channel": "custom"}})
    assert fields == ["meetingInfo.customChannelLink"]
    assert (await client.get(url, headers=headers)).json()["meetingInfo"]["channel"] == "zoom"


@pytest.mark.parametrize(
    ("old", "current"),
    [("google_meet", "google"), ("teams", "teamsForBusiness2"), ("in_person", "local")],
)
async def test_old_channel_names_are_mapped(
    client: Client, settings: Settings, side_a: Side, old: str, current: str
) -> None:
    headers = await fresh_user(settings, side_a)
    created = await create(client, headers, meetingInfo=INFO | {"channel": old})
    assert created["meetingInfo"]["channel"] == current
    other = await create(client, headers)
    patched = await client.patch(
        f"/v4/meeting-type/{other['id']}", json={"meetingInfo": {"channel": old}}, headers=headers
    )
    assert patched.json()["meetingInfo"]["channel"] == current


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"meetingInfo": INFO | {"durration": 30}}, "meetingInfo.durration"),
        ({"meetingInfo": INFO, "bookingMinimun": 60}, "bookingMinimun"),
        (
            {"meetingInfo": INFO, "meetingOptions": {"doubleOptln": True}},
            "meetingOptions.doubleOptln",
        ),
        ({"meetingInfo": INFO | {"channel": "skype"}}, "meetingInfo.channel"),
        ({"meetingInfo": INFO | {"duration": 4}}, "meetingInfo.duration"),
        ({"meetingInfo": INFO | {"duration": 481}}, "meetingInfo.duration"),
        ({"meetingInfo": INFO | {"bufferBefore": 121}}, "meetingInfo.bufferBefore"),
        ({"meetingInfo": INFO, "timeslotInterval": 61}, "timeslotInterval"),
        ({"meetingInfo": INFO, "spots": 0}, "spots"),
        ({"meetingInfo": INFO, "spots": 101}, "spots"),
        ({"meetingInfo": INFO, "bookingMinimum": -1}, "bookingMinimum"),
        ({"meetingInfo": {"duration": 30, "channel": "zoom"}}, "meetingInfo.name"),  # name missing
        ({"meetingInfo": INFO, "slug": "Not A Slug"}, "slug"),
        (
            {"meetingInfo": INFO, "daysIntoFuture": {"mode": "range", "rangeMin": "2030-01-01"}},
            "daysIntoFuture.rangeMax",
        ),
        (
            {
                "meetingInfo": INFO,
                "daysIntoFuture": {
                    "mode": "range",
                    "rangeMin": "2030-02-01",
                    "rangeMax": "2030-01-01",
                },
            },
            "daysIntoFuture.rangeMax",
        ),
        (
            {"meetingInfo": INFO, "daysIntoFuture": {"mode": "unlimited", "bookingLimit": 60}},
            "daysIntoFuture.bookingLimit",
        ),
        (
            {"meetingInfo": INFO, "meetingOptions": {"allowedDurations": [3]}},
            "meetingOptions.allowedDurations[0]",
        ),
        ({"meetingInfo": INFO, "locations": [{"type": "skype"}]}, "locations[0].type"),
        (
            {
                "meetingInfo": INFO,
                "customFields": [{"key": "size", "label": "Size", "type": "select"}],
            },
            "customFields[0].options",
        ),
        (
            {
                "meetingInfo": INFO,
                "customFields": [
                    {"key": "a", "label": "A", "type": "text"},
                    {"key": "a", "label": "Again", "type": "phone"},
                ],
            },
            "customFields[1].key",
        ),
        ({"meetingInfo": INFO, "price": "12.345", "currency": "EUR"}, "price"),
        ({"meetingInfo": INFO, "price": "-1", "currency": "EUR"}, "price"),
        ({"meetingInfo": INFO, "price": "10"}, "currency"),
        ({"meetingInfo": INFO, "currency": "euro"}, "currency"),
        ({"meetingInfo": INFO | {"color": "red"}, "color": "blue"}, "color"),
    ],
)
async def test_invalid_fields_are_named(
    client: Client, settings: Settings, side_a: Side, body: dict[str, Any], field: str
) -> None:
    headers = await fresh_user(settings, side_a)
    fields = await refused(client, "POST", "/v4/meeting-type", headers, body)
    assert field in fields
    assert (await client.get("/v4/meeting-type", headers=headers)).json() == []


async def test_metadata_limits(client: Client, settings: Settings, side_a: Side) -> None:
    headers = await fresh_user(settings, side_a)
    largest = {f"k{n:02d}": "v" * 500 for n in range(20)} | {"k" * 100: "edge"}
    largest.pop("k00")
    created = await create(client, headers, metadata=largest)
    assert created["metadata"] == largest

    too_many = {f"k{n}": "v" for n in range(21)}
    assert await refused(
        client, "POST", "/v4/meeting-type", headers, {"meetingInfo": INFO, "metadata": too_many}
    ) == ["metadata"]
    long_value = {"note": "v" * 501}
    assert await refused(
        client, "POST", "/v4/meeting-type", headers, {"meetingInfo": INFO, "metadata": long_value}
    ) == ["metadata.note"]
    long_key = {"k" * 101: "v"}
    assert await refused(
        client, "POST", "/v4/meeting-type", headers, {"meetingInfo": INFO, "metadata": long_key}
    ) == ["metadata." + "k" * 100]
    not_text = await client.post(
        "/v4/meeting-type", json={"meetingInfo": INFO, "metadata": {"n": 1}}, headers=headers
    )
    assert not_text.status_code == 400

    url = f"/v4/meeting-type/{created['id']}"
    assert await refused(client, "PATCH", url, headers, {"metadata": too_many}) == ["metadata"]
    cleared = await client.patch(url, json={"metadata": None}, headers=headers)
    assert cleared.json()["metadata"] == {}


async def test_slugs_get_a_suffix_when_derived_and_409_when_explicit(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    first = await create(client, headers)
    second = await create(client, headers)
    assert first["slug"] == "intro-call"
    assert second["slug"].startswith("intro-call-")
    assert second["slug"] != first["slug"]
    assert second["bookingUrl"].endswith(f"/{second['slug']}")

    taken = await client.post(
        "/v4/meeting-type", json={"meetingInfo": INFO, "slug": "intro-call"}, headers=headers
    )
    assert taken.status_code == 409
    assert (taken.json()["message"], taken.json()["code"]) == ("Slug already exists", "conflict")
    renamed = await client.patch(
        f"/v4/meeting-type/{second['id']}", json={"slug": "intro-call"}, headers=headers
    )
    assert (renamed.status_code, renamed.json()["message"]) == (409, "Slug already exists")
    unchanged = await client.get(f"/v4/meeting-type/{second['id']}", headers=headers)
    assert unchanged.json()["slug"] == second["slug"]

    # slugs are per user: another member may use the same one
    other = await fresh_user(settings, side_a)
    assert (await create(client, other, slug="intro-call"))["slug"] == "intro-call"


async def test_patch_merges_partial_objects(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    created = await create(
        client, headers, meetingInfo=INFO | {"duration": 45}, timeslotInterval=15
    )
    url = f"/v4/meeting-type/{created['id']}"
    patched = await client.patch(
        url,
        json={
            "meetingInfo": {"duration": 50, "description": "Hello"},
            "meetingOptions": {"requireHostConfirmation": "useCompanySettings"},
            "timeslotInterval": None,
            "daysIntoFuture": {"mode": "unlimited", "countMode": "calendar"},
            "bookingMinimum": 0,
            "price": 20,
            "currency": "USD",
            "slug": "hello-there",
        },
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["meetingInfo"]["name"] == "Intro Call"
    assert (body["meetingInfo"]["duration"], body["meetingInfo"]["description"]) == (50, "Hello")
    assert body["timeslotInterval"] == 50
    assert body["daysIntoFuture"] == {"mode": "unlimited", "countMode": "calendar"}
    assert body["meetingOptions"]["requireHostConfirmation"] is False
    assert (body["bookingMinimum"], body["price"], body["currency"]) == (0, "20.00", "USD")
    assert body["bookingUrl"].endswith("/hello-there")
    assert body["updatedAt"] >= created["updatedAt"]

    options = await client.patch(
        url, json={"meetingOptions": {"allowedDurations": [30, 60]}}, headers=headers
    )
    assert options.json()["meetingOptions"] == {
        "allowedDurations": [30, 60],
        "requireHostConfirmation": False,
        "doubleOptIn": False,
        "allowedChannels": [],
    }
    assert (await client.get(url, headers=headers)).json() == options.json()


async def test_soft_delete_keeps_the_row(client: Client, settings: Settings, side_a: Side) -> None:
    headers = await fresh_user(settings, side_a)
    created = await create(client, headers)
    url = f"/v4/meeting-type/{created['id']}"
    deleted = await client.delete(url, headers=headers)
    assert (deleted.status_code, deleted.content) == (200, b"")

    for method in ("GET", "PATCH", "DELETE"):
        body = {"enabled": False} if method == "PATCH" else None
        response = await client.request(method, url, json=body, headers=headers)
        assert (response.status_code, response.json()["message"]) == (404, "Meeting type not found")
    assert (await client.get("/v4/meeting-type", headers=headers)).json() == []
    conn = await asyncpg.connect(settings.database_url)
    try:
        row = await conn.fetchrow(
            "SELECT deleted_at, slug FROM meeting_type WHERE id = $1", uuid.UUID(created["id"])
        )
    finally:
        await conn.close()
    assert row is not None
    assert row["deleted_at"] is not None
    assert row["slug"] == "intro-call"
    # the availability stays, and the slug is free again
    availability = await client.get(
        f"/v4/availability/{created['availabilityId']}", headers=headers
    )
    assert availability.status_code == 200
    assert (await create(client, headers))["slug"] == "intro-call"


async def test_delete_with_availability_follows_the_409_and_400_rules(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    shared = await create(client, headers)  # creates the default availability
    sibling = await create(client, headers, slug="sibling-call")
    spare = await client.post(
        "/v4/availability", json={"name": "Spare", "timezone": "UTC"}, headers=headers
    )
    url = f"/v4/meeting-type/{shared['id']}?deleteAvailability=true"

    conflict = await client.delete(url, headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "availability_in_use"
    assert conflict.json()["sharedWith"] == [{"id": sibling["id"], "slug": "sibling-call"}]
    assert (
        await client.get(f"/v4/meeting-type/{shared['id']}", headers=headers)
    ).status_code == 200

    # the sibling moves to the spare availability; now the shared one can go with its meeting type
    moved = await client.patch(
        f"/v4/meeting-type/{sibling['id']}",
        json={"availabilityId": spare.json()["id"]},
        headers=headers,
    )
    assert moved.json()["availabilityId"] == spare.json()["id"]
    done = await client.delete(url, headers=headers)
    assert (done.status_code, done.content) == (200, b"")
    assert (
        await client.get(f"/v4/meeting-type/{shared['id']}", headers=headers)
    ).status_code == 404
    gone = await client.get(f"/v4/availability/{shared['availabilityId']}", headers=headers)
    assert gone.status_code == 404
    remaining = (await client.get("/v4/availability", headers=headers)).json()
    assert [(a["id"], a["isDefault"]) for a in remaining] == [(spare.json()["id"], True)]

    # the spare is now the user's last availability
    last = await client.delete(
        f"/v4/meeting-type/{sibling['id']}?deleteAvailability=true", headers=headers
    )
    assert (last.status_code, last.json()["message"]) == (409, "One availability is required")
    assert (
        await client.get(f"/v4/meeting-type/{sibling['id']}", headers=headers)
    ).status_code == 200


async def test_a_member_cannot_reach_another_members_meeting_types(
    client: Client, settings: Settings, side_a: Side
) -> None:
    member = side_a.tenant.headers(side_a.member_id)
    other = side_a.tenant.headers(await make_user(settings, side_a.tenant, given_name="Otto"))
    url = f"/v4/meeting-type/{side_a.member_scheduling.meeting_type_id}"
    before = (await client.get(url, headers=member)).json()
    for method, body in (("GET", None), ("PATCH", {"spots": 5}), ("DELETE", None)):
        response = await client.request(method, url, json=body, headers=other)
        assert (response.status_code, response.json()["message"]) == (404, "Meeting type not found")
    listed = await client.get("/v4/meeting-type", headers=other)
    assert listed.json() == []
    # nor book against their availability
    borrowed = await client.patch(
        url.replace(
            str(side_a.member_scheduling.meeting_type_id), (await create(client, other))["id"]
        ),
        json={"availabilityId": before["availabilityId"]},
        headers=other,
    )
    assert (borrowed.status_code, borrowed.json()["message"]) == (404, "Availability not found")
    assert (await client.get(url, headers=member)).json() == before


async def test_personal_access_token_acts_for_its_owner(client: Client, side_a: Side) -> None:
    pat = {"authorization": f"Bearer {side_a.scheduling_pat.token}"}
    listed = (await client.get("/v4/meeting-type", headers=pat)).json()
    assert [m["id"] for m in listed] == [str(side_a.member_scheduling.meeting_type_id)]


def test_provisioning_constructor_and_booking_url() -> None:
    data = inline_meeting_type(name="30min Meeting", duration=30, channel="google_meet")
    assert data.meeting_info.channel == "google"
    assert (data.meeting_info.description, data.slug, data.days_into_future) == ("", None, None)
    assert inline_meeting_type(name="Call", duration=15).meeting_info.channel == "phone"
    assert (
        booking_url("https://cal.example.test/", "ann", "demo")
        == "https://cal.example.test/ann/demo"
    )


async def test_admins_create_types_for_others_and_channels_can_be_offered(
    client: Client, side_a: Side
) -> None:
    body = {
        "userId": str(side_a.member_id),
        "meetingInfo": {"name": "Checkup", "duration": 30, "channel": "zoom"},
        "meetingOptions": {"allowedChannels": ["phone", "google"]},
        "bookingMinimum": 0,
        "daysIntoFuture": {"mode": "unlimited"},
    }
    by_admin = await client.post(
        "/v4/meeting-type", json=body, headers=side_a.tenant.headers(side_a.admin_id)
    )
    assert by_admin.status_code == 201, by_admin.text
    created = by_admin.json()
    assert created["userId"] == str(side_a.member_id)
    assert created["meetingOptions"]["allowedChannels"] == ["google", "phone"]
    member = {"authorization": f"Bearer {side_a.scheduling_pat.token}"}
    other = body | {"userId": str(side_a.admin_id)}
    refused = await client.post("/v4/meeting-type", json=other, headers=member)
    assert refused.status_code == 403
    stranger = body | {"userId": "00000000-0000-7000-8000-000000000000"}
    missing = await client.post(
        "/v4/meeting-type", json=stranger, headers=side_a.tenant.headers(side_a.admin_id)
    )
    assert missing.status_code == 404
    start = at(10)
    for channel, status in (("phone", 201), ("zoom", 201), ("teams", 400)):
        booked = await book(client, side_a, created, start, expect=status, channel=channel)
        if status == 400:
            assert booked["errors"][0]["field"] == "channel"
        start += timedelta(hours=1)


async def test_the_redirect_after_booking(client: Client, side_a: Side) -> None:
    headers = side_a.tenant.headers(side_a.member_id)
    info = {"name": "Intake", "duration": 30, "channel": "zoom"}
    for extra, field in (
        ({"enableRedirect": True}, "meetingInfo.redirect"),
        ({"enableRedirect": True, "redirect": "http://plain.example/x"}, "meetingInfo.redirect"),
    ):
        refused = await client.post(
            "/v4/meeting-type", json={"meetingInfo": info | extra}, headers=headers
        )
        assert refused.status_code == 400, extra
        assert refused.json()["errors"][0]["field"] == field
    created = await client.post(
        "/v4/meeting-type",
        json={"meetingInfo": info | {"enableRedirect": True, "redirect": "https://p.example/t"}},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    shown = created.json()["meetingInfo"]
    assert (shown["enableRedirect"], shown["redirect"], shown["passEventDetailsToRedirect"]) == (
        True,
        "https://p.example/t",
        False,
    )
    url = f"/v4/meeting-type/{created.json()['id']}"
    patched = await client.patch(
        url, json={"meetingInfo": {"passEventDetailsToRedirect": True}}, headers=headers
    )
    assert patched.json()["meetingInfo"]["passEventDetailsToRedirect"] is True
    assert patched.json()["meetingInfo"]["redirect"] == "https://p.example/t"
    cleared = await client.patch(url, json={"meetingInfo": {"redirect": None}}, headers=headers)
    assert cleared.status_code == 400, "enableRedirect still needs one"


async def test_double_opt_in_like_host_confirmation(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    created = await create(client, headers, meetingOptions={"doubleOptIn": True})
    assert created["meetingOptions"]["doubleOptIn"] is True
    assert created["meetingOptions"]["requireHostConfirmation"] is False
    url = f"/v4/meeting-type/{created['id']}"
    # meetergo's company fallback: slotwise has no company setting, so it reads as off
    body = {"meetingOptions": {"doubleOptIn": "useCompanySettings"}}
    patched = await client.patch(url, json=body, headers=headers)
    assert patched.json()["meetingOptions"]["doubleOptIn"] is False
    both = {"meetingOptions": {"doubleOptIn": True, "requireHostConfirmation": True}}
    patched = await client.patch(url, json=both, headers=headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["meetingOptions"]["doubleOptIn"] is True
    durations = {"meetingOptions": {"allowedDurations": []}}
    kept = await client.patch(url, json=durations, headers=headers)
    assert kept.json()["meetingOptions"]["doubleOptIn"] is True
    assert await refused(client, "PATCH", url, headers, {"meetingOptions": {"doubleOptIn": "yes"}})
    # one person confirms one appointment: group types cannot ask for it
    assert await refused(client, "PATCH", url, headers, {"spots": 3}) == [
        "meetingOptions.doubleOptIn"
    ]
    group = {"spots": 2, "meetingOptions": {"doubleOptIn": True}}
    assert await refused(client, "POST", "/v4/meeting-type", headers, {"meetingInfo": INFO} | group)
