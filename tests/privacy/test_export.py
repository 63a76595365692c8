"""GET /v4/user/{id}/export: everything stored about a user, never a credential's secret."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.bookings import fetch
from tests.support.factories import Side


def export_url(user_id: object) -> str:
    return f"/v4/user/{user_id}/export"


async def test_the_export_holds_the_users_data_and_no_secret(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side
) -> None:
    member = side_a.member_id
    response = await client.get(export_url(member), headers=side_a.tenant.headers())

    assert response.status_code == 200, response.text
    document = response.json()
    assert document["profile"]["id"] == str(member)
    scheduling = side_a.member_scheduling
    (availability,) = [
        a for a in document["availabilities"] if a["id"] == str(scheduling.availability_id)
    ]
    assert str(scheduling.exception_id) in {e["id"] for e in availability["exceptions"]}
    assert [t["id"] for t in document["meetingTypes"]] == [str(scheduling.meeting_type_id)]
    hosted = {a["id"]: a for a in document["appointments"]}
    assert str(side_a.appointment_id) in hosted
    attendees = hosted[str(side_a.appointment_id)]["attendees"]
    assert [a["email"] for a in attendees] == ["ada@example.test"]
    tokens = {t["id"] for t in document["personalAccessTokens"]}
    assert tokens == {str(side_a.scheduling_pat.id), str(side_a.account_pat.id)}
    appointments = {str(side_a.appointment_id), str(side_a.provisional_booking_id)}
    notified = await fetch(
        settings,
        "SELECT id::text FROM notification WHERE appointment_id = ANY($1::uuid[])",
        list(appointments),
    )
    assert {n["id"] for n in document["notifications"]} == {row[0] for row in notified}
    assert "personalPage" in document

    secrets = await fetch(
        settings,
        # the lookup id is left out: its first characters are the prefix shown on purpose
        "SELECT secret_hash, secret_hash FROM credential WHERE company_id = $1"
        " UNION ALL SELECT secret_hash, coalesce(opt_in_hash, secret_hash) FROM appointment"
        " WHERE company_id = $1"
        " UNION ALL SELECT secret_hash, secret_hash FROM attendee"
        " WHERE company_id = $1 AND secret_hash IS NOT NULL",
        side_a.tenant.company_id,
    )
    text = response.text
    assert secrets
    for row in secrets:
        for secret in row:
            assert secret not in text
    for token in (side_a.scheduling_pat.token, side_a.account_pat.token, side_a.tenant.api_key):
        assert token not in text


async def test_a_member_exports_only_themself(
    client: AsyncTestClient[Litestar], side_a: Side
) -> None:
    headers = {"authorization": f"Bearer {side_a.account_pat.token}"}

    own = await client.get(export_url(side_a.member_id), headers=headers)
    other = await client.get(export_url(side_a.admin_id), headers=headers)

    assert own.status_code == 200, own.text
    assert own.json()["profile"]["id"] == str(side_a.member_id)
    assert other.status_code == 403, other.text


async def test_an_admin_exports_any_user_of_the_company_only(
    client: AsyncTestClient[Litestar], side_a: Side, side_b: Side
) -> None:
    headers = {"authorization": f"Bearer {side_a.admin_pat.token}"}

    ours = await client.get(export_url(side_a.member_id), headers=headers)
    theirs = await client.get(export_url(side_b.member_id), headers=headers)

    assert ours.status_code == 200, ours.text
    assert theirs.status_code == 404, theirs.text
