"""A live user's slug is unique platform-wide and found through `user_slug`: a rename moves
the booking URL and frees the old slug, a deleted user's slug is free, another company's live
slug is a 409."""

import uuid
from urllib.parse import urlparse

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.factories import Side


async def test_slugs_follow_renames_and_deletions_across_companies(
    client: AsyncTestClient[Litestar], side_a: Side, side_b: Side
) -> None:
    tag = uuid.uuid4().hex[:8]
    a_key, b_key = side_a.tenant.headers(), side_b.tenant.headers()
    first, renamed = f"first-{tag}", f"renamed-{tag}"
    made = await client.post(
        "/v4/user",
        json={
            "email": f"{tag}@a.test",
            "givenName": "Ann",
            "familyName": "A",
            "timezone": "UTC",
            "slug": first,
        },
        headers=a_key,
    )
    assert made.status_code == 201, made.text
    ann, path = made.json()["userId"], urlparse(made.json()["bookingUrl"]).path
    type_slug = path.strip("/").split("/")[1]
    page = "/v4/public/booking-page/{}/" + type_slug
    assert (await client.get(page.format(first))).status_code == 200

    moved = await client.patch(f"/v4/user/{ann}", json={"slug": renamed}, headers=a_key)
    assert moved.status_code == 200, moved.text
    assert (await client.get(page.format(renamed))).status_code == 200
    assert (await client.get(page.format(first))).status_code == 404

    bob = await client.post(
        "/v4/user",
        json={
            "email": f"{tag}@b.test",
            "givenName": "Bob",
            "familyName": "B",
            "timezone": "UTC",
            "slug": first,
        },
        headers=b_key,
    )
    assert bob.status_code == 201, "a renamed user's old slug is free"
    bob_id = bob.json()["userId"]
    taken = await client.patch(f"/v4/user/{ann}", json={"slug": first}, headers=a_key)
    assert (taken.status_code, taken.json()["message"]) == (409, "Slug already exists")
    clash = await client.patch(f"/v4/user/{bob_id}", json={"slug": renamed}, headers=b_key)
    assert clash.status_code == 409, "another company's live slug is taken"

    assert (await client.delete(f"/v4/user/{bob_id}", headers=b_key)).status_code == 200
    freed = await client.patch(f"/v4/user/{ann}", json={"slug": first}, headers=a_key)
    assert freed.status_code == 200, "a deleted user's slug is free"
    assert (await client.get(page.format(first))).status_code == 200
