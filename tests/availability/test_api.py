"""Availability over HTTP: schedule formats, validation, exceptions, holidays, delete rules."""

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.factories import Side, make_user

Client = AsyncTestClient[Litestar]


def day(*hours: tuple[str, str], enabled: bool = True) -> dict[str, Any]:
    return {"enabled": enabled, "hours": [{"start": a, "end": b} for a, b in hours]}


OFF = day(enabled=False)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def week(**days: dict[str, Any]) -> dict[str, Any]:
    return {name: days.get(name, OFF) for name in WEEKDAYS}


async def fresh_user(settings: Settings, side: Side) -> dict[str, str]:
    """Headers acting as a new member of the side's company, who has no availability yet."""
    user_id = await make_user(settings, side.tenant, given_name="Fresh")
    return side.tenant.headers(user_id)


async def create(client: Client, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body = {"name": "Work", "timezone": "Europe/Berlin"} | body
    response = await client.post("/v4/availability", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        pytest.param(
            {
                "monday": {
                    "enabled": True,
                    "hours": [
                        {"start": "13:00", "end": "17:00"},
                        {"start": "09:00", "end": "12:00"},
                    ],
                },
                "saturday": {"enabled": False, "hours": [{"start": "10:00", "end": "14:00"}]},
            },
            week(
                monday=day(("09:00", "12:00"), ("13:00", "17:00")),
                saturday=day(("10:00", "14:00"), enabled=False),
            ),
            id="canonical",
        ),
        pytest.param(
            [
                {"dayOfWeek": "tuesday", "intervals": [{"from": "08:00", "to": "24:00"}]},
                {"dayOfWeek": "friday", "intervals": [{"from": "09:00", "to": "12:30"}]},
                {"dayOfWeek": "sunday", "intervals": []},
            ],
            week(tuesday=day(("08:00", "24:00")), friday=day(("09:00", "12:30"))),
            id="meetergo-array",
        ),
        pytest.param(
            {
                "1": {"enabled": True, "start": "09:00", "end": "17:00"},
                "3": {"enabled": False},
                "7": {"enabled": True, "start": "10:00", "end": "11:00"},
            },
            week(monday=day(("09:00", "17:00")), sunday=day(("10:00", "11:00"))),
            id="meetario",
        ),
    ],
)
async def test_schedule_formats_round_trip_to_the_canonical_form(
    client: Client, settings: Settings, side_a: Side, schedule: object, expected: dict[str, Any]
) -> None:
    headers = await fresh_user(settings, side_a)
    created = await create(client, headers, schedule=schedule)
    assert created["schedule"] == expected
    fetched = await client.get(f"/v4/availability/{created['id']}", headers=headers)
    assert fetched.json()["schedule"] == expected
    # the canonical output is itself valid input and stays the same
    again = await client.patch(
        f"/v4/availability/{created['id']}", json={"schedule": expected}, headers=headers
    )
    assert again.status_code == 200
    assert again.json()["schedule"] == expected


async def test_create_without_schedule_is_every_day_off_and_first_is_default(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    first = await create(client, headers)
    assert first["schedule"] == week()
    assert first["exceptions"] == []
    assert set(first) == {
        "id",
        "name",
        "timezone",
        "isDefault",
        "schedule",
        "exceptions",
        "createdAt",
        "updatedAt",
    }
    second = await create(client, headers, name="Evenings")
    assert (first["isDefault"], second["isDefault"]) == (True, False)


async def test_patch_replaces_the_schedule_and_moves_the_default(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    first = await create(client, headers, schedule={"monday": day(("09:00", "17:00"))})
    second = await create(client, headers, name="Evenings")
    url = f"/v4/availability/{second['id']}"

    changed = await client.patch(
        url,
        json={
            "name": "Late",
            "timezone": "America/New_York",
            "schedule": [{"dayOfWeek": "friday", "intervals": [{"from": "18:00", "to": "21:00"}]}],
            "isDefault": True,
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["timezone"], body["isDefault"]) == ("Late", "America/New_York", True)
    assert body["schedule"] == week(friday=day(("18:00", "21:00")))
    listed = (await client.get("/v4/availability", headers=headers)).json()
    assert {a["id"]: a["isDefault"] for a in listed} == {first["id"]: False, second["id"]: True}

    unset = await client.patch(url, json={"isDefault": False}, headers=headers)
    assert unset.status_code == 400
    assert unset.json()["errors"][0]["field"] == "isDefault"

    renamed = await client.patch(url, json={"name": "Later"}, headers=headers)
    assert renamed.json()["schedule"] == body["schedule"]
    assert renamed.json()["timezone"] == "America/New_York"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"schedule": {"monday": day(("09:00", "12:00"), ("11:00", "14:00"))}},
            "schedule.monday.hours[1]",
        ),
        ({"schedule": {"monday": day(("9:00", "12:00"))}}, "schedule.monday.hours[0].start"),
        ({"schedule": {"monday": day(("09:03", "12:00"))}}, "schedule.monday.hours[0].start"),
        ({"schedule": {"monday": day(("09:00", "25:00"))}}, "schedule.monday.hours[0].end"),
        ({"schedule": {"monday": day(("12:00", "09:00"))}}, "schedule.monday.hours[0].end"),
        ({"schedule": {"funday": day(("09:00", "12:00"))}}, "schedule.funday"),
        (
            {
                "schedule": [
                    {
                        "dayOfWeek": "monday",
                        "intervals": [
                            {"from": "09:00", "to": "12:00"},
                            {"from": "10:00", "to": "11:00"},
                        ],
                    }
                ]
            },
            "schedule[0].intervals[1]",
        ),
        (
            {"schedule": {"2": {"enabled": True, "start": "17:00", "end": "08:00"}}},
            "schedule.2.end",
        ),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "CEST"}, "timezone"),
    ],
)
async def test_invalid_input_is_a_field_error(
    client: Client, settings: Settings, side_a: Side, body: dict[str, Any], field: str
) -> None:
    headers = await fresh_user(settings, side_a)
    created = await client.post(
        "/v4/availability",
        json={"name": "Work", "timezone": "Europe/Berlin"} | body,
        headers=headers,
    )
    assert created.status_code == 400, created.text
    assert created.json()["message"] == "Validation failed"
    assert field in [error["field"] for error in created.json()["errors"]]
    assert (await client.get("/v4/availability", headers=headers)).json() == []

    existing = await create(client, headers)
    patched = await client.patch(f"/v4/availability/{existing['id']}", json=body, headers=headers)
    assert patched.status_code == 400
    assert field in [error["field"] for error in patched.json()["errors"]]
    fetched = (await client.get(f"/v4/availability/{existing['id']}", headers=headers)).json()
    assert (fetched["schedule"], fetched["timezone"]) == (week(), "Europe/Berlin")


async def test_unknown_field_is_named(client: Client, settings: Settings, side_a: Side) -> None:
    headers = await fresh_user(settings, side_a)
    response = await client.post(
        "/v4/availability",
        json={"name": "Work", "timezone": "Europe/Berlin", "timeZone": "UTC"},
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "timeZone", "message": "Unknown field"}]


async def test_exceptions_are_created_listed_and_deleted(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    availability = await create(client, headers)
    url = f"/v4/availability/{availability['id']}"
    created = await client.post(
        f"{url}/exception",
        json={
            "available": True,
            "start": "2030-03-02T10:00:00+01:00",
            "end": "2030-03-02T14:00:00+01:00",
            "title": "Saturday clinic",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    exception = created.json()
    assert exception["available"] is True
    assert datetime.fromisoformat(exception["start"]) == datetime(
        2030, 3, 2, 10, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert exception["title"] == "Saturday clinic"
    blocking = await client.post(
        f"{url}/exception",
        json={"available": False, "start": "2030-03-01T08:00:00Z", "end": "2030-03-01T09:00:00Z"},
        headers=headers,
    )
    assert blocking.json()["title"] is None
    listed = (await client.get(url, headers=headers)).json()["exceptions"]
    assert [item["id"] for item in listed] == [blocking.json()["id"], exception["id"]]

    deleted = await client.delete(f"{url}/exception/{exception['id']}", headers=headers)
    assert deleted.status_code == 204
    listed = (await client.get(url, headers=headers)).json()["exceptions"]
    assert [item["id"] for item in listed] == [blocking.json()["id"]]
    again = await client.delete(f"{url}/exception/{exception['id']}", headers=headers)
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2030-03-02T10:00:00", "end": "2030-03-02T11:00:00+01:00"}, "start"),
        ({"start": "2030-03-02T10:00:00+01:00", "end": "2030-03-02T10:00:00+01:00"}, "end"),
        ({"start": "2030-03-02T10:00:00+01:00", "end": "2030-03-02T08:00:00Z"}, "end"),
        ({"start": "2030-03-02T10:00:00Z", "end": "2030-03-02T11:00:00Z", "note": "x"}, "note"),
    ],
)
async def test_invalid_exceptions(
    client: Client, settings: Settings, side_a: Side, body: dict[str, Any], field: str
) -> None:
    headers = await fresh_user(settings, side_a)
    availability = await create(client, headers)
    url = f"/v4/availability/{availability['id']}"
    response = await client.post(
        f"{url}/exception", json={"available": False} | body, headers=headers
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == field
    assert (await client.get(url, headers=headers)).json()["exceptions"] == []


def local_dates(exceptions: list[dict[str, Any]], zone: str) -> dict[date, str]:
    tz = ZoneInfo(zone)
    return {
        datetime.fromisoformat(e["start"]).astimezone(tz).date(): e["title"] for e in exceptions
    }


async def test_german_holidays_with_a_state_are_imported_once(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    availability = await create(client, headers)
    url = f"/v4/availability/{availability['id']}"
    first = await client.patch(
        f"{url}/holiday-exceptions",
        json={"year": 2026, "country": "DE", "subdivision": "BY"},
        headers=headers,
    )
    assert first.status_code == 200, first.text
    imported = first.json()
    days = local_dates(imported, "Europe/Berlin")
    assert days[date(2026, 1, 6)] == "Heilige Drei Könige"
    assert days[date(2026, 10, 3)] == "Tag der Deutschen Einheit"
    assert date(2026, 3, 8) not in days  # Berlin's Women's Day is not a Bavarian holiday
    assert all(item["available"] is False for item in imported)
    epiphany = next(e for e in imported if e["title"] == "Heilige Drei Könige")
    assert (epiphany["start"], epiphany["end"]) == ("2026-01-05T23:00:00Z", "2026-01-06T23:00:00Z")

    # meetergo's germanState names the same region: nothing new is created
    second = await client.patch(
        f"{url}/holiday-exceptions",
        json={"year": 2026, "country": "de", "germanState": "by"},
        headers=headers,
    )
    assert second.status_code == 200
    assert sorted(e["id"] for e in second.json()) == sorted(e["id"] for e in imported)
    stored = (await client.get(url, headers=headers)).json()["exceptions"]
    assert len(stored) == len(imported)


async def test_us_holidays_are_imported_in_the_availability_zone(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    availability = await create(client, headers, timezone="America/New_York")
    url = f"/v4/availability/{availability['id']}/holiday-exceptions"
    first = await client.patch(url, json={"year": 2026, "country": "US"}, headers=headers)
    assert first.status_code == 200, first.text
    days = local_dates(first.json(), "America/New_York")
    assert date(2026, 11, 26) in days  # Thanksgiving
    assert date(2026, 7, 4) in days
    assert date(2026, 1, 6) not in days
    thanksgiving = next(e for e in first.json() if e["start"] == "2026-11-26T05:00:00Z")
    assert thanksgiving["end"] == "2026-11-27T05:00:00Z"
    again = await client.patch(url, json={"year": 2026, "country": "US"}, headers=headers)
    assert sorted(e["id"] for e in again.json()) == sorted(e["id"] for e in first.json())
    stored = (await client.get(f"/v4/availability/{availability['id']}", headers=headers)).json()
    assert len(stored["exceptions"]) == len(first.json())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 2026, "country": "XX"}, "country"),
        ({"year": 2026, "country": "DE", "subdivision": "ZZ"}, "subdivision"),
        ({"year": 2026, "country": "DE", "germanState": "ZZ"}, "germanState"),
        ({"year": 2026, "country": "DE", "subdivision": "BY", "germanState": "BE"}, "germanState"),
        ({"year": 1800, "country": "DE"}, "year"),
    ],
)
async def test_invalid_holiday_requests(
    client: Client, settings: Settings, side_a: Side, body: dict[str, Any], field: str
) -> None:
    headers = await fresh_user(settings, side_a)
    availability = await create(client, headers)
    url = f"/v4/availability/{availability['id']}"
    response = await client.patch(f"{url}/holiday-exceptions", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert (await client.get(url, headers=headers)).json()["exceptions"] == []


async def test_availability_used_by_a_meeting_type_cannot_be_deleted(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    used = await create(client, headers)
    spare = await create(client, headers, name="Spare")
    meeting_type = await client.post(
        "/v4/meeting-type",
        json={
            "meetingInfo": {"name": "Consultation", "duration": 30, "channel": "zoom"},
            "availabilityId": used["id"],
        },
        headers=headers,
    )
    assert meeting_type.status_code == 201, meeting_type.text
    refused = await client.delete(f"/v4/availability/{used['id']}", headers=headers)
    assert refused.status_code == 409
    assert refused.json() == {
        "statusCode": 409,
        "message": "Cannot delete availability - it is used by other meeting types",
        "error": "Conflict",
        "code": "availability_in_use",
        "sharedWith": [{"id": meeting_type.json()["id"], "slug": "consultation"}],
    }
    assert (await client.get(f"/v4/availability/{used['id']}", headers=headers)).status_code == 200

    # once the meeting type is gone the availability can go; the default passes on
    mt_url = f"/v4/meeting-type/{meeting_type.json()['id']}"
    assert (await client.delete(mt_url, headers=headers)).status_code == 200
    deleted = await client.delete(f"/v4/availability/{used['id']}", headers=headers)
    assert deleted.status_code == 204
    gone = await client.get(f"/v4/availability/{used['id']}", headers=headers)
    assert (gone.status_code, gone.json()["message"]) == (404, "Availability not found")
    listed = (await client.get("/v4/availability", headers=headers)).json()
    assert [(a["id"], a["isDefault"]) for a in listed] == [(spare["id"], True)]


async def test_last_availability_cannot_be_deleted(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    only = await create(client, headers)
    refused = await client.delete(f"/v4/availability/{only['id']}", headers=headers)
    assert refused.status_code == 409
    assert refused.json()["message"] == "One availability is required"
    assert (await client.get(f"/v4/availability/{only['id']}", headers=headers)).status_code == 200


async def test_a_member_cannot_reach_another_members_availability(
    client: Client, settings: Settings, side_a: Side
) -> None:
    owner_headers = side_a.tenant.headers(side_a.member_id)
    other = side_a.tenant.headers(await make_user(settings, side_a.tenant, given_name="Otto"))
    availability_id = side_a.member_scheduling.availability_id
    exception_id = side_a.member_scheduling.exception_id
    url = f"/v4/availability/{availability_id}"
    before = (await client.get(url, headers=owner_headers)).json()

    attempts: list[tuple[str, str, object]] = [
        ("GET", url, None),
        ("PATCH", url, {"name": "Mine now"}),
        ("DELETE", url, None),
        (
            "POST",
            f"{url}/exception",
            {"available": True, "start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z"},
        ),
        ("DELETE", f"{url}/exception/{exception_id}", None),
        ("PATCH", f"{url}/holiday-exceptions", {"year": 2026, "country": "DE"}),
    ]
    for method, target, body in attempts:
        response = await client.request(method, target, json=body, headers=other)
        assert (response.status_code, response.json()["message"]) == (
            404,
            "Availability not found",
        ), f"{method} {target}"
    listed = await client.get("/v4/availability", headers=other)
    assert str(availability_id) not in listed.text
    assert (await client.get(url, headers=owner_headers)).json() == before
    assert before["exceptions"][0]["id"] == str(exception_id)


async def test_exception_of_another_availability_is_not_found(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await fresh_user(settings, side_a)
    mine = await create(client, headers)
    foreign_exception = side_a.member_scheduling.exception_id
    response = await client.delete(
        f"/v4/availability/{mine['id']}/exception/{foreign_exception}", headers=headers
    )
    assert (response.status_code, response.json()["message"]) == (
        404,
        "Availability exception not found",
    )
    unknown = await client.get(f"/v4/availability/{uuid.uuid4()}", headers=headers)
    assert unknown.status_code == 404
