"""The real worker syncs due connections (its sweep) and writes bookings out (woken after
commit), against Radicale."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.calendars.caldav import event_href
from slotwise.settings import Settings
from tests.calendars.conftest import Account, starts, until
from tests.calendars.test_caldav import berlin, connect, local
from tests.support import bookings as support
from tests.support.factories import Side
from tests.support.radicale import vevent
from tests.support.worker_process import running_worker

MONDAY = support.monday()


async def test_the_worker_syncs_and_writes_bookings_out(
    client: AsyncTestClient[Litestar], settings: Settings, side_a: Side, account: Account
) -> None:
    meeting_type = await support.make_type(client, side_a)
    created = await connect(client, side_a, account)
    work = next(c["id"] for c in created["calendars"] if c["name"] == "Work")
    headers = side_a.tenant.headers(side_a.member_id)
    url = f"/v4/calendar-connections/{created['id']}"
    assert (await client.patch(url, json={"bookingCalendarId": work}, headers=headers)).is_success
    account.server.put_event(account.work, "dentist", vevent("dentist", berlin(10), berlin(11)))
    await support.execute(
        settings,
        "UPDATE calendar_connection SET synced_at = now() - interval '1 day' WHERE id = $1",
        created["id"],
    )

    async def synced() -> bool:
        rows = await support.fetch(
            settings,
            "SELECT 1 FROM calendar_connection"
            " WHERE id = $1 AND synced_at > now() - interval '1 hour'",
            created["id"],
        )
        return bool(rows)

    async def pushed() -> bool:
        rows = await support.fetch(settings, "SELECT status FROM calendar_push")
        return [row["status"] for row in rows] == ["done"]

    with running_worker(settings, SLOTWISE_CALENDAR_ALLOW_PRIVATE_NETWORKS="true"):
        await until(synced)
        assert local(10) not in await starts(client, side_a, meeting_type, MONDAY)
        booked = await support.book(client, side_a, meeting_type, support.at(14))
        await until(pushed)
    written = account.server.get(event_href(account.work, f"{booked['appointmentId']}@slotwise"))
    assert written.status_code == 200
