"""Sealing every connected calendar's credentials again under the newest key (part of
`slotwise secrets rotate`): a batch of connections per transaction, rows locked while they
change; a value no listed key opens is counted and left as it is."""

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.calendars.secrets import open_login, seal
from slotwise.kit.sealing import PREFIX, Keyring, SealError
from slotwise.models import CalendarConnection

BATCH = 200

log = logging.getLogger("slotwise.calendars")


@dataclass
class CalendarsResealed:
    calendar_checked: int = 0
    calendar_resealed: int = 0
    calendar_unreadable: int = 0


async def reseal_calendars(
    sessions: async_sessionmaker[AsyncSession], keyring: Keyring
) -> CalendarsResealed:
    done = CalendarsResealed()
    current = f"{PREFIX}{keyring.current_id}:%"
    after: uuid.UUID | None = None
    while True:
        async with sessions() as session, session.begin():
            stmt = (
                select(CalendarConnection)  # unscoped: an operator command over every company
                .where(CalendarConnection.credentials.not_like(current))
                .order_by(CalendarConnection.id)
                .limit(BATCH)
                .with_for_update()
            )
            if after is not None:
                stmt = stmt.where(CalendarConnection.id > after)
            rows = list((await session.scalars(stmt)).all())
            for row in rows:
                try:
                    row.credentials = seal(
                        keyring, row.id, open_login(keyring, row.id, row.credentials)
                    )
                    done.calendar_resealed += 1
                except SealError as exc:
                    done.calendar_unreadable += 1
                    log.error("calendar connection %s: credentials unreadable (%s)", row.id, exc)
        done.calendar_checked += len(rows)
        if len(rows) < BATCH:
            return done
        after = rows[-1].id
