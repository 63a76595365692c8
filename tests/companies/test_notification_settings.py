"""/v4/company/notifications: which mails a company's bookings send."""

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.bookings import at, book, make_type
from tests.support.factories import Side, attendee_body

Client = AsyncTestClient[Litestar]
PATH = "/v4/company/notifications"
DEFAULT = {
    "hostEmails": True,
    "attendeeEmails": True,
    "hostReminders": False,
    "reminderDefaults": [1440, 60],
    "hostAppointmentUrl": None,
}


async def test_defaults_changes_and_bad_values(client: Client, side_a: Side, side_b: Side) -> None:
    headers = side_a.tenant.headers()
    assert (await client.get(PATH, headers=headers)).json() == DEFAULT
    changed = await client.patch(
        PATH, json={"hostEmails": False, "reminderDefaults": [30, 120, 30]}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == DEFAULT | {"hostEmails": False, "reminderDefaults": [120, 30]}
    for body, field in (
        ({"reminderDefaults": [0]}, "reminderDefaults[0]"),
        ({"reminderDefaults": [1, 2, 3, 4, 5, 6]}, "reminderDefaults"),
        ({"attendeeEmails": "no"}, "attendeeEmails"),
        ({"hostMails": True}, "hostMails"),
        ({"hostAppointmentUrl": "https://app.example/appointments"}, "hostAppointmentUrl"),
        ({"hostAppointmentUrl": "http://app.example/a/{appointmentId}"}, "hostAppointmentUrl"),
    ):
        response = await client.patch(PATH, json=body, headers=headers)
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["field"] == field
    assert (await client.get(PATH, headers=side_b.tenant.headers())).json() == DEFAULT
    member = {"authorization": f"Bearer {side_a.account_pat.token}"}
    assert (await client.patch(PATH, json={}, headers=member)).status_code == 403


async def test_the_settings_decide_who_gets_mail(client: Client, side_a: Side) -> None:
    await client.patch(
        PATH,
        json={"hostEmails": False, "reminderDefaults": [180]},
        headers=side_a.tenant.headers(),
    )
    meeting_type = await make_type(client, side_a)
    created = await book(client, side_a, meeting_type, at(15))
    response = await client.get(
        f"/v4/appointment/{created['appointmentId']}/notifications",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    kinds = sorted(n["kind"] for n in response.json()["notifications"])
    assert kinds == ["booking_confirmed", "booking_reminder"]
    await client.patch(PATH, json={"attendeeEmails": False}, headers=side_a.tenant.headers())
    second = await book(client, side_a, meeting_type, at(16))
    response = await client.get(
        f"/v4/appointment/{second['appointmentId']}/notifications",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    assert response.json()["notifications"] == []


async def test_hosts_get_reminders_when_the_company_asks(client: Client, side_a: Side) -> None:
    await client.patch(
        PATH,
        json={"hostReminders": True, "reminderDefaults": [120]},
        headers=side_a.tenant.headers(),
    )
    meeting_type = await make_type(client, side_a, spots=2)
    created = await book(client, side_a, meeting_type, at(11))
    joined = await book(
        client, side_a, meeting_type, at(11), attendee=attendee_body("grace@example.test")
    )
    assert joined["appointmentId"] == created["appointmentId"]
    response = await client.get(
        f"/v4/appointment/{created['appointmentId']}/notifications",
        headers=side_a.tenant.headers(side_a.member_id),
    )
    reminders = sorted(
        (n["kind"], n["recipient"])
        for n in response.json()["notifications"]
        if n["kind"].endswith("reminder")
    )
    host = [r for r in reminders if r[0] == "host_booking_reminder"]
    assert len(host) == 1, "one host reminder per appointment, not per seat"
    assert [r[1] for r in reminders if r[0] == "booking_reminder"] == [
        "ada@example.test",
        "grace@example.test",
    ]
