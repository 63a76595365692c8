"""POST /v4/user also takes its body as a form (meetergo's reference page shows it as
multipart/form-data): the same fields, `availability` and `meetingType` as JSON text, checked
like the JSON body."""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.factories import Side

Client = AsyncTestClient[Litestar]
DOCUMENT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"

FIELDS = {
    "email": "form.user@partner.test",
    "givenName": "Forma",
    "familyName": "Lee",
    "timezone": "Europe/Berlin",
}
MEETING_TYPE = {"name": "Intro Call", "duration": 45, "channel": "google_meet"}
AVAILABILITY = {
    "name": "Mornings",
    "schedule": [{"dayOfWeek": "tuesday", "intervals": [{"from": "08:00", "to": "12:00"}]}],
}


def multipart(fields: dict[str, str]) -> dict[str, tuple[None, str]]:
    """httpx sends `files` entries without a file name as plain text parts."""
    return {name: (None, value) for name, value in fields.items()}


async def post_form(
    client: Client, side: Side, fields: dict[str, str], headers: dict[str, str] | None = None
) -> Any:
    return await client.post(
        "/v4/user", files=multipart(fields), headers=side.tenant.headers() | (headers or {})
    )


def error_fields(response: Any) -> set[str]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["statusCode"] == 400
    return {error["field"] for error in body["errors"]}


async def test_a_multipart_form_provisions_like_json(client: Client, side_a: Side) -> None:
    fields = FIELDS | {
        "slug": "forma-lee",
        "meetingType": json.dumps(MEETING_TYPE),
        "availability": json.dumps(AVAILABILITY),
    }
    created = await post_form(client, side_a, fields)
    assert created.status_code == 201, created.text
    out = created.json()
    assert set(out) == {"userId", "availabilityId", "meetingTypeId", "bookingUrl", "companyId"}
    assert out["companyId"] == str(side_a.tenant.company_id)
    user_slug, type_slug = urlparse(out["bookingUrl"]).path.strip("/").split("/")
    assert (user_slug, type_slug) == ("forma-lee", "intro-call")

    as_user = side_a.tenant.headers(out["userId"])
    user = (await client.get(f"/v4/user/{out['userId']}", headers=as_user)).json()
    assert (user["email"], user["givenName"], user["timezone"]) == (
        "form.user@partner.test",
        "Forma",
        "Europe/Berlin",
    )
    meeting_type = (
        await client.get(f"/v4/meeting-type/{out['meetingTypeId']}", headers=as_user)
    ).json()
    assert meeting_type["meetingInfo"]["duration"] == 45
    assert meeting_type["meetingInfo"]["channel"] == "google"
    availability = (
        await client.get(f"/v4/availability/{out['availabilityId']}", headers=as_user)
    ).json()
    assert availability["name"] == "Mornings"
    assert availability["schedule"]["tuesday"]["hours"] == [{"start": "08:00", "end": "12:00"}]

    page = await client.get(f"/v4/public/booking-page/{user_slug}/{type_slug}")
    assert page.status_code == 200, page.text
    assert page.json()["meetingTypeId"] == out["meetingTypeId"]
    html = await client.get(urlparse(out["bookingUrl"]).path)
    assert html.status_code == 200
    assert "Intro Call" in html.text


async def test_a_url_encoded_form_provisions_too(client: Client, side_a: Side) -> None:
    created = await client.post(
        "/v4/user",
        data=FIELDS | {"meetingType": json.dumps({"duration": 15})},
        headers=side_a.tenant.headers(),
    )
    assert created.status_code == 201, created.text
    out = created.json()
    as_user = side_a.tenant.headers(out["userId"])
    meeting_type = (
        await client.get(f"/v4/meeting-type/{out['meetingTypeId']}", headers=as_user)
    ).json()
    assert meeting_type["meetingInfo"]["duration"] == 15


async def test_a_part_may_say_it_is_json(client: Client, side_a: Side) -> None:
    files = multipart(FIELDS) | {
        "meetingType": (None, json.dumps(MEETING_TYPE), "application/json")  # type: ignore[dict-item]
    }
    created = await client.post("/v4/user", files=files, headers=side_a.tenant.headers())
    assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"meetingType": "{duration: 30"}, {"meetingType"}),
        ({"availability": ""}, {"availability"}),
        ({"meetingType": json.dumps({"duration": 1})}, {"meetingType.duration"}),
        ({"meetingType": json.dumps({"duration": "30"})}, {"meetingType.duration"}),
        ({"meetingType": json.dumps({"lenght": 30})}, {"meetingType.lenght"}),
        ({"meetingType": json.dumps([30])}, {"meetingType"}),
        ({"emial": "typo@partner.test"}, {"emial"}),
        ({"language": "xx"}, {"language"}),
        ({"givenName": "x" * 101}, {"givenName"}),
    ],
)
async def test_a_bad_form_is_a_400_naming_the_field(
    client: Client, side_a: Side, change: dict[str, str], fields: set[str]
) -> None:
    response = await post_form(client, side_a, FIELDS | change)
    assert error_fields(response) == fields
    assert response.json()["code"] == "validation_failed"


@pytest.mark.parametrize(
    "change",
    [
        {"meetingType": {"duration": 1}},
        {"availability": {"name": "", "schedule": "weekdays"}},
        {"meetingType": {"daysIntoFuture": {"mode": "sometimes"}}},
        {"timezone": None},
        {"emial": "typo@partner.test", "language": "xx"},
    ],
)
async def test_a_form_gets_the_errors_its_json_document_gets(
    client: Client, side_a: Side, change: dict[str, Any]
) -> None:
    document = {name: value for name, value in (FIELDS | change).items() if value is not None}
    as_json = await client.post("/v4/user", json=document, headers=side_a.tenant.headers())
    fields = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in document.items()
    }
    as_form = await post_form(client, side_a, fields)
    assert as_json.status_code == 400, as_json.text
    assert (as_form.status_code, as_form.json()) == (400, as_json.json())


async def test_files_and_repeated_fields_are_refused(client: Client, side_a: Side) -> None:
    with_file = multipart(FIELDS) | {"meetingType": ("type.json", b'{"duration": 30}')}
    response = await client.post("/v4/user", files=with_file, headers=side_a.tenant.headers())
    assert error_fields(response) == {"meetingType"}
    assert "file" in response.json()["errors"][0]["message"]
    repeated = [(name, (None, value)) for name, value in FIELDS.items()]
    repeated.append(("email", (None, "second@partner.test")))
    response = await client.post("/v4/user", files=repeated, headers=side_a.tenant.headers())
    assert error_fields(response) == {"email"}


async def test_other_content_types_are_still_415(client: Client, side_a: Side) -> None:
    response = await client.post(
        "/v4/user",
        content=b"email=x",
        headers=side_a.tenant.headers() | {"content-type": "text/plain"},
    )
    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["message"]
    other_route = await client.post(
        "/v4/availability",
        files=multipart({"name": "x"}),
        headers=side_a.tenant.headers(side_a.tenant.owner_id),
    )
    assert other_route.status_code == 415


async def test_idempotency_keys_see_the_form_as_its_json_document(
    client: Client, side_a: Side
) -> None:
    fields = FIELDS | {"meetingType": json.dumps(MEETING_TYPE)}
    key = {"Idempotency-Key": "form-1"}
    first = await post_form(client, side_a, fields, key)
    assert first.status_code == 201, first.text
    # httpx picks a new multipart boundary for each request: the same form replays
    again = await post_form(client, side_a, fields, key)
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    as_json = await client.post(
        "/v4/user",
        json=FIELDS | {"meetingType": MEETING_TYPE},
        headers=side_a.tenant.headers() | key,
    )
    assert (as_json.status_code, as_json.content) == (201, first.content)
    changed = await post_form(client, side_a, fields | {"givenName": "Other"}, key)
    assert changed.status_code == 422
    assert changed.json()["code"] == "idempotency_key_reused"


def test_the_document_lists_json_and_the_forms() -> None:
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    operation = document["paths"]["/v4/user"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {
        "application/json",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    }
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/UserCreate"}
    form = content["multipart/form-data"]
    assert form["schema"]["required"] == ["email", "timezone"]
    assert form["schema"]["additionalProperties"] is False
    components = document["components"]["schemas"]
    json_properties = components["UserCreate"]["properties"]
    assert set(form["schema"]["properties"]) == set(json_properties)
    for name in ("availability", "meetingType"):
        part = form["schema"]["properties"][name]
        assert (part["type"], part["contentMediaType"]) == ("string", "application/json")
        ref = part["contentSchema"]["$ref"]
        assert ref == json_properties[name]["anyOf"][0]["$ref"]
        assert ref.removeprefix("#/components/schemas/") in components
        assert form["encoding"][name]["contentType"] == "application/json"
    # a text field has the rules of the same field of the JSON body
    assert form["schema"]["properties"]["email"] == json_properties["email"]
    assert content["application/x-www-form-urlencoded"]["schema"] == form["schema"]
    assert "form" in operation["responses"]["415"]["description"]
