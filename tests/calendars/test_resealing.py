"""`slotwise secrets rotate` seals connected calendars' credentials under the newest key."""

import msgspec
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.calendars.resealing import reseal_calendars
from slotwise.calendars.secrets import open_login
from slotwise.kit.sealing import Keyring, new_key
from slotwise.settings import Settings
from tests.support import bookings as support
from tests.support.factories import make_calendar_connection, make_tenant, make_user


async def test_credentials_are_sealed_again_under_the_newest_key(
    app: Litestar, settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await make_tenant(settings, "Reseal")
    user = await make_user(settings, tenant)
    url = "https://calendar.example.test/private-address.ics"
    connection_id = await make_calendar_connection(settings, tenant, user, url)
    newer = new_key()
    rotated = msgspec.structs.replace(settings, secret_keys=f"{newer},{settings.secret_keys}")

    done = await reseal_calendars(sessions, rotated.keyring())
    assert (done.calendar_checked, done.calendar_resealed, done.calendar_unreadable) == (1, 1, 0)
    (row,) = await support.fetch(
        settings, "SELECT credentials FROM calendar_connection WHERE id = $1", connection_id
    )
    assert url not in row["credentials"]
    assert open_login(Keyring.parse(newer), connection_id, row["credentials"]).url == url
    assert (await reseal_calendars(sessions, rotated.keyring())).calendar_checked == 0
