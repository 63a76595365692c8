"""The two queries behind slot computation: the meeting type with its rules, and busy time."""

import uuid
from datetime import datetime
from functools import cache
from typing import NamedTuple, cast

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased

from slotwise.db.session import driver_connection
from slotwise.db.tenancy import TenantRepository
from slotwise.kit.errors import NotFound
from slotwise.models import (
    Appointment,
    Availability,
    AvailabilityException,
    MeetingType,
    Queue,
    QueueMember,
    QueueUserGroup,
    User,
)
from slotwise.models.appointment import BLOCKING


class RulesRepository(TenantRepository[MeetingType]):
    """A live meeting type of the company, its availability and that availability's exceptions."""

    model = MeetingType
    not_found_message = "Meeting type not found"

    @classmethod
    @cache
    def _statement(cls) -> Select[MeetingType, Availability, AvailabilityException]:
        """Built once, with the company and meeting type as parameters: every slot answer and
        booking runs it, and building and keying it cost more than running it."""
        exception = aliased(AvailabilityException)
        return (
            select(MeetingType, Availability, exception)
            .join(
                Availability,
                and_(
                    Availability.company_id == MeetingType.company_id,
                    Availability.id == MeetingType.availability_id,
                ),
            )
            .outerjoin(
                exception,
                and_(
                    exception.company_id == Availability.company_id,
                    exception.availability_id == Availability.id,
                ),
            )
            .where(
                MeetingType.company_id == bindparam("scope_company_id"),
                MeetingType.id == bindparam("meeting_type_id"),
                MeetingType.deleted_at.is_(None),
            )
        )

    async def load(
        self, meeting_type_id: uuid.UUID
    ) -> tuple[MeetingType, Availability, list[AvailabilityException]]:
        params = {"scope_company_id": self.company_id, "meeting_type_id": meeting_type_id}
        rows = (await self.session.execute(self._statement(), params)).all()
        if not rows:
            raise NotFound(self.not_found_message)
        exceptions = [row[2] for row in rows if row[2] is not None]
        return rows[0][0], rows[0][1], exceptions


class BusyRow(asyncpg.Record):  # type: ignore[misc] # the driver's record is untyped
    """A row of the busy-time query, made by the driver itself (a month holds hundreds, and
    copying each into a tuple of our own cost a tenth of a millisecond per answer): unpacks
    as `(id, meeting_type_id, start_at, end_at, buffer_before, buffer_after, total_spots,
    taken_spots, expires_at, host_id)`."""

    @property
    def expires_at(self) -> datetime | None:
        return cast(datetime | None, self[8])

    @property
    def host_id(self) -> uuid.UUID:
        """The host it blocks (a collective appointment has a row for each host asked about)."""
        return cast(uuid.UUID, self[9])


_BUSY_SQL = """
SELECT a.id, a.meeting_type_id, a.start_at, a.end_at, a.buffer_before, a.buffer_after,
       a.total_spots,
       CASE WHEN $7 THEN (
           SELECT count(*) FROM attendee t
           WHERE t.company_id = a.company_id AND t.appointment_id = a.id
             AND t.cancelled_at IS NULL
       ) ELSE 1 END,
       CASE WHEN a.status = 'pending' THEN a.expires_at END,
       h.user_id
FROM (SELECT DISTINCT unnest($2::uuid[])) AS wanted (user_id)
JOIN appointment_host h
  ON h.company_id = $1 AND h.user_id = wanted.user_id
 AND h.status IN ('confirmed', 'pending')
 AND tstzrange(h.start_at, h.end_at, '[)') && tstzrange($3, $4, '[)')
JOIN appointment a ON a.company_id = h.company_id AND a.id = h.appointment_id
WHERE (a.status = 'confirmed'
       OR (a.status = 'pending' AND (a.expires_at IS NULL OR a.expires_at > $5)))
  AND ($6::uuid IS NULL OR a.id <> $6)
ORDER BY a.start_at
"""


class BusyTimeRepository(TenantRepository[Appointment]):
    model = Appointment

    async def of_hosts(
        self,
        host_ids: list[uuid.UUID],
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        ignore: uuid.UUID | None = None,
        count_seats: bool = True,
    ) -> list[BusyRow]:
        """Blocking appointments of the hosts overlapping `[start, end)`, with seats taken,
        whether a host holds them alone or together with others (`appointment_host`).

        This is the hot query of slot computation (a busy month has hundreds of rows), so it
        runs as one prepared statement on the session's own connection and transaction, with
        the company bound like every scoped query; that is about five times faster than
        building ORM rows. Seats are counted only when asked (group meeting types). Pending
        bookings past their expiry no longer block.

        Overlap is asked as the range overlap (`&&`) of the exclusion constraint's own GiST
        index, host by host, so the index finds only the rows in the window: compared as
        `start_at < end AND end_at > start`, an index on the start bounds one side only, and
        every past appointment of the host was read and dropped (`bench.busy_history`: 2.3-3.0
        ms instead of 0.5 ms per query for a host with 20,000).
        """
        if end <= start:  # `[start, end)` holds no instant; the range would be refused
            return []
        driver = await driver_connection(self.session)
        return cast(
            list[BusyRow],
            await driver.fetch(
                _BUSY_SQL,
                self.company_id,
                host_ids,
                start,
                end,
                now,
                ignore,
                count_seats,
                record_class=BusyRow,
            ),
        )


class HostVersion(NamedTuple):
    host_id: uuid.UUID
    version: int
    #: a team type: its answers depend on every member and are not cached
    team: bool = False


_VERSION_SQL = """
SELECT m.user_id, coalesce(v.version, 0), m.queue_id IS NOT NULL
FROM meeting_type m
LEFT JOIN schedule_version v ON v.company_id = m.company_id AND v.user_id = m.user_id
WHERE m.company_id = $1 AND m.id = $2 AND m.deleted_at IS NULL
"""


class ScheduleVersionRepository(TenantRepository[MeetingType]):
    model = MeetingType

    async def of_meeting_type(self, meeting_type_id: uuid.UUID) -> HostVersion | None:
        """The host of a live meeting type and the version of that host's schedule."""
        driver = await driver_connection(self.session)
        row = await driver.fetchrow(_VERSION_SQL, self.company_id, meeting_type_id)
        return None if row is None else HostVersion(row[0], row[1], row[2])


_MEMBER_IDS_SQL = """
SELECT q.user_id
FROM meeting_type m
JOIN queue_member q ON q.company_id = m.company_id AND q.queue_id = m.queue_id
JOIN "user" u ON u.company_id = q.company_id AND u.id = q.user_id AND u.deleted_at IS NULL
WHERE m.company_id = $1 AND m.id = $2
ORDER BY q.user_id
"""


class TeamRow(NamedTuple):
    """A live member of a team type's queue with the availability they host it from."""

    user_id: uuid.UUID
    priority: int
    capacity: int | None
    availability: Availability | None


class TeamRepository(TenantRepository[Queue]):
    """A team type's queue, its live members (each with their own availability: the meeting
    type's for its owner, their default one for the others) and groups, and how many
    bookings each host has taken."""

    model = Queue
    not_found_message = "Queue not found"

    async def members(self, meeting_type: MeetingType) -> list[TeamRow]:
        own = and_(
            Availability.company_id == QueueMember.company_id,
            Availability.user_id == QueueMember.user_id,
            Availability.deleted_at.is_(None),
            or_(
                and_(
                    QueueMember.user_id == meeting_type.user_id,
                    Availability.id == meeting_type.availability_id,
                ),
                and_(QueueMember.user_id != meeting_type.user_id, Availability.is_default),
            ),
        )
        stmt = (
            select(QueueMember.user_id, QueueMember.priority, QueueMember.capacity, Availability)
            .join(
                User,
                and_(User.company_id == QueueMember.company_id, User.id == QueueMember.user_id),
            )
            .outerjoin(Availability, own)
            .where(
                QueueMember.company_id == self.company_id,
                QueueMember.queue_id == meeting_type.queue_id,
                User.deleted_at.is_(None),
            )
            .order_by(QueueMember.user_id)
        )
        return [TeamRow(*row) for row in (await self.session.execute(stmt)).all()]

    async def member_ids(self, meeting_type_id: uuid.UUID) -> list[uuid.UUID]:
        """A team type's live members, as plain ids (read before anything that may end the
        session's transaction, such as waiting on calendars)."""
        driver = await driver_connection(self.session)
        rows = await driver.fetch(_MEMBER_IDS_SQL, self.company_id, meeting_type_id)
        return [row[0] for row in rows]

    async def exceptions(
        self, availability_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[AvailabilityException]]:
        found: dict[uuid.UUID, list[AvailabilityException]] = {a: [] for a in availability_ids}
        if not availability_ids:
            return found
        stmt = select(AvailabilityException).where(
            AvailabilityException.company_id == self.company_id,
            AvailabilityException.availability_id.in_(availability_ids),
        )
        for row in (await self.session.scalars(stmt)).all():
            found[row.availability_id].append(row)
        return found

    async def groups(self, queue_id: uuid.UUID) -> list[QueueUserGroup]:
        stmt = select(QueueUserGroup).where(
            QueueUserGroup.company_id == self.company_id, QueueUserGroup.queue_id == queue_id
        )
        return list((await self.session.scalars(stmt.order_by(QueueUserGroup.id))).all())

    async def queue(self, queue_id: uuid.UUID) -> Queue:
        return await self.get_or_404(queue_id)

    async def standing(
        self, meeting_type_id: uuid.UUID, since: datetime
    ) -> dict[uuid.UUID, tuple[int, datetime | None]]:
        """Per host of the type's blocking bookings: how many were made since `since`, and
        when the latest was made (a cancelled booking gives its turn back)."""
        stmt = (
            select(
                Appointment.host_user_id,
                func.count().filter(Appointment.created_at >= since),
                func.max(Appointment.created_at),
            )
            .where(
                Appointment.company_id == self.company_id,
                Appointment.meeting_type_id == meeting_type_id,
                Appointment.status.in_(BLOCKING),
            )
            .group_by(Appointment.host_user_id)
        )
        rows = (await self.session.execute(stmt)).all()
        return {host: (count, latest) for host, count, latest in rows}
