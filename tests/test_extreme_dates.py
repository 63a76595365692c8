"""Dates at the ends of the calendar, in every date-taking parameter of the API document, are a
400 in the error envelope naming the parameter, never a 5xx.

Year 1 minus a UTC offset and year 9999 plus one are not representable, and neither is a day
or a duration added to them: each such value once reached datetime arithmetic as an
OverflowError. The parameters are found in the committed document (a `date` or `date-time`
format, or a name like `start`, `to`, `expiresAt`; integers that become dates, like
`expiresInDays`), so a new one is covered as soon as it is documented; each needs a valid
request to vary (`BASE` here, or `tests/support/routes.py`), which the test asks for.
"""

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slotwise.app import create_app
from slotwise.settings import load_settings
from tests.conftest import TEST_REDIS_DB, _truncate_all, with_redis_db
from tests.support.bookings import WEEK, at
from tests.support.browser import serving
from tests.support.factories import Tenant, attendee_body, make_tenant
from tests.support.routes import BODIES, QUERIES

DOCUMENT = json.loads((Path(__file__).parents[1] / "openapi" / "openapi.json").read_text())
DATE_NAMES = re.compile(r"^(start|end|from|to|startDate|endDate|expiresAt|rangeMin|rangeMax)$")
#: integers the API turns into dates or durations
NUMBER_NAMES = re.compile(r"(?i)(days|year)$")
#: the documented aliases of one slot query parameter: the first one sent wins
ALIASES = ({"start", "startDate", "from"}, {"end", "endDate", "to"})
#: a valid parent for a date nested in a body
PARENTS: dict[str, dict[str, Any]] = {
    "meetingType": {"name": "Dates", "duration": 30},
    "daysIntoFuture": {"mode": "range", "rangeMin": "2030-01-01", "rangeMax": "2030-12-31"},
}
YEARS = (1, 2, 9998, 9999)
OFFSETS = ("Z", "+14:00", "-14:00", "+00:00", "-13:59", "+05:30")
HUGE = (2**31, 2**63, 10**18, 10**30, -(2**63))
CLASSIC = {
    "date": ("0001-01-01", "9999-12-31"),
    "date-time": (
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
    ),
    "integer": HUGE,
}


@dataclass(frozen=True)
class Target:
    """One date-taking parameter: a query parameter or a (dotted) body member."""

    method: str
    path: str
    where: str
    name: str
    kind: str  # "date", "date-time" or "integer"

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.where} {self.name} ({self.kind})"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    return schema


def _variants(schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(schema)
    inner = schema.get("anyOf") or schema.get("oneOf") or []
    return [schema, *(v for part in inner for v in _variants(part))]


def _kind(name: str, schema: dict[str, Any]) -> str | None:
    variants = _variants(schema)
    for variant in variants:
        if variant.get("format") in {"date", "date-time"}:
            return str(variant["format"])
    if any(v.get("type") == "integer" for v in variants) and NUMBER_NAMES.search(name):
        return "integer"
    return "date-time" if DATE_NAMES.match(name) else None


def _members(schema: dict[str, Any], prefix: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    for variant in _variants(schema):
        for name, member in (variant.get("properties") or {}).items():
            path = f"{prefix}{name}"
            if (kind := _kind(name, member)) is not None:
                yield path, kind
            elif depth < 3:
                yield from _members(member, f"{path}.", depth + 1)


def targets() -> list[Target]:
    found = []
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                kind = _kind(parameter["name"], parameter.get("schema", {}))
                if kind is not None:
                    found.append(Target(method.upper(), path, "query", parameter["name"], kind))
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = content["application/json"]["schema"]
                found += [
                    Target(method.upper(), path, "body", name, kind)
                    for name, kind in _members(schema, "")
                ]
    return sorted(set(found), key=str)


TARGETS = targets()


def test_the_document_has_the_date_parameters_this_test_knows() -> None:
    """The discovery finds the known ones (a broken discovery would test nothing)."""
    names = {f"{t.method} {t.path} {t.name}" for t in TARGETS}
    assert {
        "GET /v4/appointment/paginated start",
        "GET /v4/booking-availability from",
        "GET /v4/public/booking-page/{user_slug}/{meeting_type_slug}/slots end",
        "POST /v4/booking start",
        "POST /v4/public/appointment/{appointment_id}/reschedule start",
        "POST /v4/availability/{availability_id}/exception end",
        "POST /v4/user/{user_id}/personal-access-token expiresAt",
        "PATCH /v4/meeting-type/{meeting_type_id} daysIntoFuture.rangeMax",
        "POST /v4/api-key expiresInDays",
    } <= names


@dataclass(frozen=True)
class Setup:
    base_url: str
    tenant: Tenant
    ids: dict[str, str]
    secret: str


@pytest.fixture(scope="module")
def setup(database_url: str, service_urls: tuple[str, str]) -> Iterator[Setup]:
    """The app on a local port (rate limits off: one client sends everything) with a meeting
    type, a one-time link to it, an availability and a booking, whose ids, token and secret
    fill the requests."""
    app_settings = load_settings(
        {},
        database_url=database_url,
        redis_url=with_redis_db(service_urls[1], TEST_REDIS_DB),
        argon2_profile="cheapest",
        rate_limit_enabled=False,
        db_pool_size=5,
    )
    tenant = asyncio.run(make_tenant(app_settings, "Dates"))
    try:
        with serving(lambda _: create_app(app_settings)) as base_url:
            with httpx.Client(base_url=base_url, headers=tenant.headers(tenant.owner_id)) as http:
                meeting_type = http.post(
                    "/v4/meeting-type",
                    json={
                        "meetingInfo": {"name": "Dates", "duration": 30, "channel": "zoom"},
                        "availability": {
                            "name": "Office",
                            "timezone": "Europe/Berlin",
                            "schedule": WEEK,
                        },
                        "daysIntoFuture": {"mode": "unlimited"},
                    },
                ).json()
                availability = http.post(
                    "/v4/availability", json={"name": "Dates", "timezone": "Europe/Berlin"}
                ).json()
                booked = http.post(
                    "/v4/booking",
                    json={
                        "meetingTypeId": meeting_type["id"],
                        "start": at(10).isoformat(),
                        "attendee": attendee_body(),
                    },
                ).json()
                link = http.post(f"/v4/one-time-booking-link/create/{meeting_type['id']}").json()
            user_slug, type_slug = urlsplit(meeting_type["bookingUrl"]).path.strip("/").split("/")
            ids = {
                "user_id": str(tenant.owner_id),
                "meeting_type_id": meeting_type["id"],
                "availability_id": availability["id"],
                "appointment_id": booked["appointmentId"],
                "user_slug": user_slug,
                "meeting_type_slug": type_slug,
                "token": link["token"],
            }
            yield Setup(base_url, tenant, ids, booked["secret"])
    finally:
        asyncio.run(_truncate_all(database_url))


def _key(route: str) -> str:
    """`POST /v4/x/{id:uuid}` (the route table's spelling) as the document spells it."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", route)


POLLED_V4 = (
    "GET /v4/meeting-type",
    "GET /v4/provisional-booking/paginated",
    "GET /v4/user",
    "GET /webhooks",
    "GET /v4/webhooks",
)
POLLED_V1 = ("GET /api/v1/events", "GET /api/v1/event_types", "GET /api/v1/webhooks")


def _base(target: Target, setup: Setup) -> tuple[dict[str, Any], Any]:
    """A valid query and body for the target's operation."""
    route = f"{target.method} {target.path}"
    soon = (datetime.now(UTC) + timedelta(days=14)).date().isoformat()
    public: dict[str, tuple[dict[str, Any], Any]] = {
        "GET /v4/public/booking-page/{user_slug}/{meeting_type_slug}/slots": (
            {"start": soon, "end": soon, "timezone": "Europe/Berlin"},
            None,
        ),
        "POST /v4/public/booking-page/{user_slug}/{meeting_type_slug}/book": (
            {},
            {"start": at(11).isoformat(), "attendee": attendee_body()},
        ),
        "GET /v4/public/one-time-link/{token}/slots": (
            {"start": soon, "end": soon, "timezone": "Europe/Berlin"},
            None,
        ),
        "POST /v4/public/one-time-link/{token}/book": (
            {},
            {"start": at(11).isoformat(), "attendee": attendee_body()},
        ),
        "POST /v4/public/appointment/{appointment_id}/reschedule": (
            {},
            {"secret": setup.secret, "start": at(11).isoformat()},
        ),
        "POST /api/v1/events": (
            {},
            {
                "event_type_id": setup.ids["meeting_type_id"],
                "attendee_email": "ada@example.test",
                "attendee_name": "Ada Lovelace",
                "start_time": at(11).isoformat(),
            },
        ),
        "GET /v4/appointment/paginated": ({}, None),
        "GET /v4/audit-log": ({}, None),
        # the lists polled by update time: their `updatedSince`
        **{route: ({"sortBy": "updatedAt"}, None) for route in POLLED_V4},
        **{route: ({"sort_by": "updated_at"}, None) for route in POLLED_V1},
        "POST /v4/booking": (
            {},
            {
                "meetingTypeId": setup.ids["meeting_type_id"],
                "start": at(11).isoformat(),
                "attendee": attendee_body(),
            },
        ),
    }
    if route in public:
        query, body = public[route]
        return dict(query), json.loads(json.dumps(body))
    bodies = {_key(key): body for key, body in BODIES.items()}
    queries = {_key(key): query for key, query in QUERIES.items()}
    assert route in bodies or target.where == "query", f"{route}: add a valid body to BASE"
    assert route in queries or target.where == "body", f"{route}: add a valid query to BASE"
    query = {}
    if route in queries:
        filled = queries[route].format(**setup.ids)
        query = dict(part.split("=", 1) for part in filled.split("&"))
    return query, json.loads(json.dumps(bodies.get(route)))


def send(setup: Setup, target: Target, value: Any) -> httpx.Response:
    query, body = _base(target, setup)
    if target.where == "query":
        for group in ALIASES:
            if target.name in group:
                query = {k: v for k, v in query.items() if k not in group}
        query[target.name] = str(value)
    else:
        *parents, last = target.name.split(".")
        holder = body
        for parent in parents:
            if parent not in holder:
                assert parent in PARENTS, f"{target}: add a valid {parent} to PARENTS"
                holder[parent] = dict(PARENTS[parent])
            holder = holder[parent]
        holder[last] = value
    url = target.path.format(**setup.ids)
    headers = setup.tenant.headers(setup.tenant.owner_id)
    if "/public/" in target.path:
        headers = {}
    return httpx.request(
        target.method, setup.base_url + url, params=query, json=body, headers=headers, timeout=30
    )


def check(setup: Setup, target: Target, value: Any, well_formed: bool) -> None:
    response = send(setup, target, value)
    label = f"{target} = {value!r}: {response.status_code} {response.text[:300]}"
    assert response.status_code < 500, label
    envelope = response.json()
    # /api/v1 speaks the Meetario sheet's envelope, with 422 for validation
    meetario = target.path.startswith("/api/v1/")
    status, errors, invalid = (
        ("status_code", "details", 422) if meetario else ("statusCode", "errors", 400)
    )
    assert envelope[status] == response.status_code, label
    assert response.status_code in {400, 404, 409, 422}, label
    if well_formed:
        assert response.status_code == invalid, label
        assert target.name in [error["field"] for error in envelope[errors]], label


@pytest.mark.parametrize("target", TARGETS, ids=str)
def test_the_classic_overflows_are_refused_naming_the_parameter(
    setup: Setup, target: Target
) -> None:
    for value in CLASSIC[target.kind]:
        check(setup, target, value, well_formed=True)


@st.composite
def extremes(draw: st.DrawFn, kind: str) -> tuple[Any, bool]:
    """An extreme value of the kind, and whether it is well formed (a date that parses)."""
    huge = draw(st.sampled_from(HUGE) | st.integers(min_value=2**31))
    if kind == "integer":
        return huge, True
    year, month, day = (
        draw(st.sampled_from(YEARS)),
        draw(st.integers(1, 12)),
        draw(st.integers(1, 28)),
    )
    text = f"{year:04d}-{month:02d}-{day:02d}"
    if kind == "date-time":
        hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
        text += f"T{hour:02d}:{minute:02d}:00{draw(st.sampled_from(OFFSETS))}"
    return draw(st.sampled_from([(text, True), (huge, False), (str(huge), False)]))


@settings(max_examples=150, deadline=None, database=None)
@given(data=st.data())
def test_extreme_dates_anywhere_are_never_a_5xx(setup: Setup, data: st.DataObject) -> None:
    target = data.draw(st.sampled_from(TARGETS), label="target")
    value, well_formed = data.draw(extremes(target.kind), label="value")
    check(setup, target, value, well_formed)
