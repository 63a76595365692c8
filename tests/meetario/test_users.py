"""The Meetario sheet's Users section: the profile and the weekly availability, written through
/v4's services, so /v4 reads the same profile and books by the same week."""

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.auth.scopes import ScopeName
from slotwise.models import Role
from slotwise.settings import Settings
from tests.meetario.test_booking_flow import bearer
from tests.meetario.test_errors import envelope
from tests.support.bookings import fetch, make_type, monday
from tests.support.factories import Side, make_pat, make_user

Client = AsyncTestClient[Litestar]
ME = "/api/v1/users/me"
WEEK = f"{ME}/availability"

#: the sheet's example bodies
PROFILE = {
    "first_name": "John",
    "last_name": "Smith",
    "timezone": "Europe/London",
    "position": "Senior Product Manager",
    "company": "Tech Startup Inc",
    "date_format": "dd/MM/yyyy",
    "time_format": "HH:mm",
}
LONG, SHORT = {"start": "08:00", "end": "18:00"}, {"start": "08:00", "end": "16:00"}
OFF = {"enabled": False, "start": "09:00", "end": "17:00"}
SHEET_WEEK = {
    "availability": {
        **{str(n): {"enabled": True, **LONG} for n in range(1, 5)},
        "5": {"enabled": True, **SHORT},
        "6": OFF,
        "7": OFF,
    },
    "timezone": "America/New_York",
}


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def audited(settings: Settings, side: Side, action: str) -> list[tuple[str, Any]]:
    rows = await fetch(
        settings,
        "SELECT resource_type, resource_id FROM audit_log WHERE company_id = $1 AND action = $2",
        side.tenant.company_id,
        action,
    )
    return [(row["resource_type"], row["resource_id"]) for row in rows]


async def test_patch_changes_the_sent_fields_for_both_dialects(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await bearer(settings, side_a, "users:read", "users:write")
    before = (await client.get(ME, headers=headers)).json()["data"]
    changed = await client.patch(ME, json=PROFILE, headers=headers)
    assert changed.status_code == 200, changed.text
    me = changed.json()["data"]
    assert (me["first_name"], me["last_name"], me["name"]) == ("John", "Smith", "John Smith")
    assert (me["timezone"], me["position"], me["company"]) == (
        "Europe/London",
        "Senior Product Manager",
        "Tech Startup Inc",
    )
    assert me["locale"] == {
        "date_format": "dd/MM/yyyy",
        "time_format": "HH:mm",
        "week_start": before["locale"]["week_start"],
    }
    assert (me["id"], me["uuid"]) == (before["id"], before["uuid"])
    assert (await client.get(ME, headers=headers)).json()["data"] == me
    v4 = await client.get("/v4/user/me", headers=side_a.tenant.headers(side_a.member_id))
    assert v4.status_code == 200, v4.text
    profile = v4.json()
    assert (profile["givenName"], profile["familyName"], profile["timezone"]) == (
        "John",
        "Smith",
        "Europe/London",
    )
    assert (profile["title"], profile["company"]) == ("Senior Product Manager", "Tech Startup Inc")
    assert (profile["dateFormat"], profile["timeFormat"]) == ("dd/MM/yyyy", "HH:mm")
    assert await audited(settings, side_a, "user.update") == [("user", side_a.member_id)]

    # only the sent fields change; null clears an optional one
    again = await client.patch(ME, json={"position": None}, headers=headers)
    assert again.status_code == 200, again.text
    after = again.json()["data"]
    assert after["position"] is None

    def rest(user: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in user.items() if k not in ("position", "updated_at")}

    assert rest(after) == rest(me)


async def test_patch_names_the_sheets_fields(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await bearer(settings, side_a, "users:read", "users:write")
    for body, field in (
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"first_name": "   "}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"date_format": "nonsense%"}, "date_format"),
        ({"time_format": "HH"}, "time_format"),
        ({"givenName": "John"}, "givenName"),
    ):
        refused = await client.patch(ME, json=body, headers=headers)
        details = envelope(refused, 422, "validation_error")["details"]
        assert field in {d["field"] for d in details}, (body, details)
    unchanged = (await client.get(ME, headers=headers)).json()["data"]
    assert unchanged["timezone"] != "Mars/Olympus"


async def test_the_default_availability_as_a_week(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await bearer(settings, side_a, "availability:read")
    response = await client.get(WEEK, headers=headers)
    assert response.status_code == 200, response.text
    week = response.json()["data"]
    workday = {"enabled": True, "start": "09:00", "end": "17:00"}
    assert week == {
        "availability": {
            **{str(n): workday for n in range(1, 6)},
            "6": OFF,
            "7": OFF,
        },
        "timezone": "Europe/Berlin",
    }


async def test_a_day_with_breaks_shows_its_span(
    client: Client, settings: Settings, side_a: Side
) -> None:
    """/v4 allows several ranges a day; the sheet's one range is their span."""
    availability_id = side_a.member_scheduling.availability_id
    hours = [{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "17:30"}]
    patched = await client.patch(
        f"/v4/availability/{availability_id}",
        json={"schedule": {"tuesday": {"enabled": True, "hours": hours}}},
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert patched.status_code == 200, patched.text
    headers = await bearer(settings, side_a, "availability:read")
    week = (await client.get(WEEK, headers=headers)).json()["data"]["availability"]
    assert week["2"] == {"enabled": True, "start": "08:00", "end": "17:30"}
    assert week["1"] == OFF


async def test_put_replaces_the_week_and_the_slots_follow(
    client: Client, settings: Settings, side_a: Side
) -> None:
    headers = await bearer(settings, side_a, "availability:read", "availability:write")
    v4 = side_a.tenant.headers(side_a.member_id)
    availability_id = side_a.member_scheduling.availability_id
    meeting_type = await make_type(
        client, side_a, availability=None, availabilityId=str(availability_id), slug="weekly"
    )
    types = await bearer(settings, side_a, "event_types:read")
    day = monday(3)

    async def slots_of(date_: Any) -> list[dict[str, Any]]:
        response = await client.get(
            f"/api/v1/event_types/{meeting_type['id']}/availability?start_date={date_}",
            headers=types,
        )
        assert response.status_code == 200, response.text
        days = response.json()["data"]
        return days[0]["slots"] if days else []

    # Berlin 09:00 before
    berlin = ZoneInfo("Europe/Berlin")
    assert (await slots_of(day))[0]["start_time"] == utc_text(
        datetime.combine(day, time(9), berlin)
    )

    replaced = await client.put(WEEK, json=SHEET_WEEK, headers=headers)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["data"] == SHEET_WEEK
    assert (await client.get(WEEK, headers=headers)).json()["data"] == SHEET_WEEK

    # the same availability changed, as /v4 sees it
    row = (await client.get(f"/v4/availability/{availability_id}", headers=v4)).json()
    assert row["timezone"] == "America/New_York"
    assert row["schedule"]["friday"] == {"enabled": True, "hours": [SHORT]}
    assert row["schedule"]["saturday"]["enabled"] is False
    recorded = await audited(settings, side_a, "availability.update")
    assert recorded == [("availability", availability_id)]

    new_york = ZoneInfo("America/New_York")
    monday_slots = await slots_of(day)
    assert monday_slots[0]["start_time"] == utc_text(datetime.combine(day, time(8), new_york))
    assert monday_slots[-1]["end_time"] == utc_text(datetime.combine(day, time(18), new_york))
    assert len(monday_slots) == 20
    friday = day + timedelta(days=4)
    friday_slots = await slots_of(friday)
    assert friday_slots[-1]["end_time"] == utc_text(datetime.combine(friday, time(16), new_york))
    assert await slots_of(day + timedelta(days=5)) == []

    # the zone may be left out: it stays
    week_only = {"availability": SHEET_WEEK["availability"]}
    kept = await client.put(WEEK, json=week_only, headers=headers)
    assert kept.status_code == 200, kept.text
    assert kept.json()["data"]["timezone"] == "America/New_York"


async def test_put_without_an_availability_makes_one(
    client: Client, settings: Settings, side_a: Side
) -> None:
    """A user without any availability (as a new one may be) gets a default one."""
    headers = await bearer(settings, side_a, "availability:read", "availability:write")
    fresh = await make_user(settings, side_a.tenant, role=Role.ADMIN, given_name="Fresh")
    v4 = side_a.tenant.headers(fresh)
    assert (await client.get("/v4/availability", headers=v4)).json() == []
    pat = await make_pat(
        settings,
        side_a.tenant,
        fresh,
        ("availability:read", "availability:write"),
        style="pat",
    )
    admin = {"authorization": f"Bearer {pat.token}", "content-type": "application/json"}
    empty = (await client.get(WEEK, headers=admin)).json()["data"]
    assert all(day["enabled"] is False for day in empty["availability"].values())
    made = await client.put(WEEK, json=SHEET_WEEK, headers=admin)
    assert made.status_code == 200, made.text
    assert made.json()["data"] == SHEET_WEEK
    (row,) = (await client.get("/v4/availability", headers=v4)).json()
    assert (row["isDefault"], row["name"], row["timezone"]) == (
        True,
        "Working hours",
        "America/New_York",
    )
    # the member's own week is untouched
    mine = (await client.get(WEEK, headers=headers)).json()["data"]
    assert mine["timezone"] == "Europe/Berlin"


async def test_put_validation_names_the_day(
    client: Client, settings: Settings, side_a: Side
) -> None:
    scopes: tuple[ScopeName, ...] = ("availability:read", "availability:write")
    headers = await bearer(settings, side_a, *scopes)
    before = (await client.get(WEEK, headers=headers)).json()["data"]
    day = {"enabled": True, "start": "08:00", "end": "18:00"}
    for body, field in (
        ({"availability": {"8": day}}, "availability.8"),
        ({"availability": {"3": day | {"end": "25:00"}}}, "availability.3.end"),
        ({"availability": {"2": day | {"start": "7:00"}}}, "availability.2.start"),
        ({"availability": {"3": day | {"start": "18:00", "end": "08:00"}}}, "availability.3.end"),
        ({"availability": {"4": day | {"start": "24:00", "end": "24:00"}}}, "availability.4.start"),
        ({"availability": {"1": {"enabled": True, "start": "08:00"}}}, "availability.1.end"),
        ({"availability": {"1": day | {"break": "12:00"}}}, "availability.1.break"),
        ({"availability": {"1": day}, "surprise": 1}, "surprise"),
        ({"availability": {"1": day}, "timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "Europe/Berlin"}, "availability"),
    ):
        # a token each: /api/v1 allows 10 requests a second per token
        refused = await client.put(WEEK, json=body, headers=await bearer(settings, side_a, *scopes))
        details = envelope(refused, 422, "validation_error")["details"]
        assert field in {d["field"] for d in details}, (body, details)
    # nothing changed
    assert (await client.get(WEEK, headers=headers)).json()["data"] == before


async def test_each_route_asks_for_its_scope(
    client: Client, settings: Settings, side_a: Side
) -> None:
    reader = await bearer(settings, side_a, "users:read", "availability:read")
    refused = await client.patch(ME, json=PROFILE, headers=reader)
    assert envelope(refused, 403, "forbidden")["message"] == "Missing scope: users:write"
    refused = await client.put(WEEK, json=SHEET_WEEK, headers=reader)
    assert envelope(refused, 403, "forbidden")["message"] == "Missing scope: availability:write"
    writer = await bearer(settings, side_a, "users:write", "events:read")
    refused = await client.get(WEEK, headers=writer)
    assert envelope(refused, 403, "forbidden")["message"] == "Missing scope: availability:read"
    # nothing was written
    week = (await client.get(WEEK, headers=reader)).json()["data"]
    assert week["timezone"] == "Europe/Berlin"
    assert (await client.get(ME, headers=reader)).json()["data"]["position"] != PROFILE["position"]
