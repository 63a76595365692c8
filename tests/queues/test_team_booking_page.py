"""A team type's booking URL: the page lists the team's slots and books the chosen host."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.public.test_booking_page_api import page_path, public_booking, week
from tests.queues.conftest import Team
from tests.support.bookings import at


async def test_the_booking_page_books_the_team(
    client: AsyncTestClient[Litestar], team: Team
) -> None:
    path = page_path(team.meeting_type)
    public = await client.get(f"{path}/slots?{week()}")
    assert public.status_code == 200, public.text
    first = public.json()["dates"][0]["spots"][0]
    assert first["startTime"] == at(9).isoformat()
    assert sorted(first["hostIds"]) == sorted(str(h) for h in team.hosts)
    hosts = set()
    for n in range(3):
        body = public_booking(at(9)) | {
            "attendee": {"email": f"p{n}@x.test", "firstname": "Pat", "lastname": "Page"}
        }
        made = await client.post(f"{path}/book", json=body)
        assert made.status_code == 201, made.text
        appointment = await client.get(
            f"/v4/appointment/{made.json()['appointmentId']}",
            headers=team.side.tenant.headers(team.side.admin_id),
        )
        hosts.add(appointment.json()["queueBookingInfo"]["hostId"])
    assert hosts == {str(h) for h in team.hosts}
    full = await client.post(f"{path}/book", json=public_booking(at(9)))
    assert full.status_code == 409
    after = await client.get(f"{path}/slots?{week()}")
    assert after.json()["dates"][0]["spots"][0]["startTime"] != at(9).isoformat()
