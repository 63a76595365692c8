"""Private calendar feeds: a secret URL of a user's bookings, with stable UIDs, ETag and
Last-Modified (304 when unchanged), rotation and revocation, and the access rules."""

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.factories import (
    Tenant,
    book,
    make_pat,
    make_scheduling,
    make_tenant,
    make_user,
)

Client = AsyncTestClient[Litestar]


async def _setup(settings: Settings) -> tuple[Tenant, uuid.UUID, uuid.UUID]:
    tenant = await make_tenant(settings, "Feeds")
    member = await make_user(settings, tenant, given_name="Fiona")
    scheduling = await make_scheduling(settings, tenant, member)
    start = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    booked = await book(
        settings, tenant, scheduling.meeting_type_id, start, ignore_availability=True
    )
    return tenant, member, booked.appointment_id


def _path(url: str) -> str:
    return urlsplit(url).path


def _events(body: bytes) -> dict[str, str]:
    """UID → STATUS of each event."""
    found = Calendar.from_ical(body)
    return {str(e["UID"]): str(e["STATUS"]) for e in found.walk("VEVENT")}


async def test_the_feed_serves_bookings_with_stable_uids_and_304s(
    client: Client, settings: Settings
) -> None:
    tenant, member, appointment_id = await _setup(settings)
    made = await client.post(f"/v4/user/{member}/calendar-feed", headers=tenant.headers(member))
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith("https://book.example.test/cal/")
    assert url.endswith(".ics")

    first = await client.get(_path(url))
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    assert "X-RateLimit-Limit" in first.headers  # counted per client address
    uid = f"{appointment_id}@slotwise"
    assert _events(first.content) == {uid: "CONFIRMED"}
    etag, modified = first.headers["etag"], first.headers["last-modified"]

    same = await client.get(_path(url), headers={"if-none-match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert (
        await client.get(_path(url), headers={"if-modified-since": modified})
    ).status_code == 304

    cancelled = await client.post(
        f"/v4/appointment/{appointment_id}/cancel",
        json={"reason": "ill"},
        headers=tenant.headers(member),
    )
    assert cancelled.status_code in {200, 201}, cancelled.text
    changed = await client.get(_path(url), headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert _events(changed.content) == {uid: "CANCELLED"}  # the same UID: the event updates


async def test_rotate_and_revoke_stop_the_old_url_and_a_wrong_secret_is_404(
    client: Client, settings: Settings
) -> None:
    tenant, member, _ = await _setup(settings)
    headers = tenant.headers(member)
    first = (await client.post(f"/v4/user/{member}/calendar-feed", headers=headers)).json()["url"]
    tampered = _path(first)[:-8] + ("A" if _path(first)[-8] != "A" else "B") + _path(first)[-7:]
    assert (await client.get(tampered)).status_code == 404
    assert (await client.get("/cal/short.ics")).status_code == 404

    rotated = await client.post(f"/v4/user/{member}/calendar-feed/rotate", headers=headers)
    assert rotated.status_code == 201
    second = rotated.json()["url"]
    assert second != first
    assert (await client.get(_path(first))).status_code == 404
    assert (await client.get(_path(second))).status_code == 200
    assert (
        await client.get(f"/v4/user/{member}/calendar-feed", headers=headers)
    ).status_code == 200

    revoked = await client.delete(f"/v4/user/{member}/calendar-feed", headers=headers)
    assert revoked.status_code == 204
    gone = await client.get(f"/v4/user/{member}/calendar-feed", headers=headers)
    assert gone.json() == {"active": False, "createdAt": None}
    assert (await client.get(_path(second))).status_code == 404
    missing = await client.post(f"/v4/user/{member}/calendar-feed/rotate", headers=headers)
    assert missing.status_code == 404


async def test_a_member_manages_only_their_own_feed(client: Client, settings: Settings) -> None:
    tenant, member, _ = await _setup(settings)
    other = await make_user(settings, tenant, given_name="Otto")
    pat = (await make_pat(settings, tenant, member, ("events:read",))).token
    bearer = {"authorization": f"Bearer {pat}"}
    own = await client.post(f"/v4/user/{member}/calendar-feed", headers=bearer)
    assert own.status_code == 201
    refused = await client.post(f"/v4/user/{other}/calendar-feed", headers=bearer)
    assert refused.status_code == 403
    assert (await client.get(f"/v4/user/{other}/calendar-feed", headers=bearer)).status_code == 403
    # a token without a bookings scope may not mint a capability to read them
    account = (await make_pat(settings, tenant, member, ("account",))).token
    no_scope = await client.post(
        f"/v4/user/{member}/calendar-feed", headers={"authorization": f"Bearer {account}"}
    )
    assert no_scope.status_code == 403
