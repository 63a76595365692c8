"""Appointment and attendee queries, scoped to one company; the per-host booking lock."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from slotwise.bookings.schemas import PROVISIONAL_TYPES, ProvisionalStatus
from slotwise.db.locks import lock
from slotwise.db.settled import UpdatedWindow
from slotwise.db.tenancy import TenantRepository
from slotwise.kit.errors import NotFound
from slotwise.models import Appointment, AppointmentHost, AppointmentStatus, Attendee

#: statuses the appointment API shows (expired and declined holds are provisional bookings)
VISIBLE_STATUSES = (
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.PENDING,
    AppointmentStatus.CANCELLED,
)


@dataclass(frozen=True)
class AppointmentFilter:
    """A page of one host's appointments: `start`/`end` select those overlapping `[start, end)`,
    `search` an attendee's name or email; sorted by `sort` (`start_at` or `created_at`);
    `ended_by`: only those over by then."""

    host_id: uuid.UUID
    statuses: tuple[AppointmentStatus, ...] = VISIBLE_STATUSES
    start: datetime | None = None
    end: datetime | None = None
    ended_by: datetime | None = None
    meeting_type_id: uuid.UUID | None = None
    search: str | None = None
    sort: Literal["start_at", "created_at", "updated_at"] = "start_at"
    descending: bool = False
    #: with the `updated_at` sort: the rows of a poll (`db.settled`)
    updated: UpdatedWindow | None = None


class AppointmentRepository(TenantRepository[Appointment]):
    model = Appointment
    not_found_message = "Appointment not found"

    def hosted_by(self, host_id: uuid.UUID) -> ColumnElement[bool]:
        """Appointments the user hosts, alone or with others (a collective booking is on
        every host's list)."""
        held = select(AppointmentHost.appointment_id).where(
            AppointmentHost.company_id == self.company_id, AppointmentHost.user_id == host_id
        )
        return Appointment.id.in_(held)

    async def visible(self, appointment_id: uuid.UUID, host_id: uuid.UUID | None) -> Appointment:
        """One appointment the API shows; `host_id` limits it to that host's (non-admins)."""
        where: list[ColumnElement[bool]] = [Appointment.status.in_(VISIBLE_STATUSES)]
        if host_id is not None:
            where.append(self.hosted_by(host_id))
        return await self.get_or_404(appointment_id, *where)

    async def page(
        self, query: AppointmentFilter, *, limit: int, offset: int
    ) -> tuple[list[Appointment], int]:
        """The rows of one page and the total over all pages."""
        where: list[ColumnElement[bool]] = [
            self.hosted_by(query.host_id),
            Appointment.status.in_(query.statuses),
        ]
        if query.start is not None:
            where.append(Appointment.end_at > query.start)
        if query.end is not None:
            where.append(Appointment.start_at < query.end)
        if query.ended_by is not None:
            where.append(Appointment.end_at <= query.ended_by)
        if query.meeting_type_id is not None:
            where.append(Appointment.meeting_type_id == query.meeting_type_id)
        if query.search:
            where.append(self.matching(query.search))
        column = {
            "start_at": Appointment.start_at,
            "created_at": Appointment.created_at,
            "updated_at": Appointment.updated_at,
        }[query.sort]
        if query.updated is not None:  # a poll: oldest change first, past the cursor
            where += query.updated.where(Appointment)
        order = (
            [column.desc(), Appointment.id.desc()] if query.descending else [column, Appointment.id]
        )
        rows = await self.list(*where, order_by=order, limit=limit, offset=offset)
        return rows, await self.count(*where)

    async def confirmed_between(
        self, host_id: uuid.UUID, first: datetime, after: datetime, *, limit: int | None = None
    ) -> list[Appointment]:
        """The host's confirmed appointments starting in `[first, after)`, earliest first."""
        return await self.list(
            self.hosted_by(host_id),
            Appointment.status == AppointmentStatus.CONFIRMED,
            Appointment.start_at >= first,
            Appointment.start_at < after,
            order_by=[Appointment.start_at, Appointment.id],
            limit=limit,
        )

    async def confirmed_at(self, host_id: uuid.UUID, now: datetime) -> Appointment | None:
        """The host's confirmed appointment in progress at `now`, if any."""
        rows = await self.list(
            self.hosted_by(host_id),
            Appointment.status == AppointmentStatus.CONFIRMED,
            Appointment.start_at <= now,
            Appointment.end_at > now,
            order_by=[Appointment.start_at, Appointment.id],
            limit=1,
        )
        return rows[0] if rows else None

    async def provisional(self, booking_id: uuid.UUID, host_id: uuid.UUID | None) -> Appointment:
        """One booking that needed the host's or the attendee's confirmation; `host_id` limits
        it to that host's."""
        where: list[ColumnElement[bool]] = [Appointment.booking_type.in_(PROVISIONAL_TYPES)]
        if host_id is not None:
            where.append(Appointment.host_user_id == host_id)
        found = await self.get(booking_id, *where)
        if found is None:
            raise NotFound("Provisional booking not found")
        return found

    async def provisional_page(
        self,
        host_id: uuid.UUID,
        state: ProvisionalStatus | None,
        meeting_type_id: uuid.UUID | None,
        now: datetime,
        *,
        limit: int,
        offset: int,
        updated: UpdatedWindow | None = None,
    ) -> tuple[list[Appointment], int]:
        """One host's bookings that needed confirmation, newest first (oldest change first
        when polling by `updated`), and their total."""
        where: list[ColumnElement[bool]] = [
            Appointment.booking_type.in_(PROVISIONAL_TYPES),
            Appointment.host_user_id == host_id,
        ]
        if state is not None:
            where.append(_provisional_state(state, now))
        if meeting_type_id is not None:
            where.append(Appointment.meeting_type_id == meeting_type_id)
        order = [Appointment.created_at.desc(), Appointment.id.desc()]
        if updated is not None:
            where += updated.where(Appointment)
            order = [Appointment.updated_at.asc(), Appointment.id.asc()]
        rows = await self.list(*where, order_by=order, limit=limit, offset=offset)
        return rows, await self.count(*where)

    async def cohosts(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        """The other hosts of collective appointments (besides each one's `host_user_id`)."""
        if not ids:
            return {}
        stmt = (
            select(AppointmentHost.appointment_id, AppointmentHost.user_id)
            .join(
                Appointment,
                and_(
                    Appointment.company_id == AppointmentHost.company_id,
                    Appointment.id == AppointmentHost.appointment_id,
                ),
            )
            .where(
                AppointmentHost.company_id == self.company_id,
                AppointmentHost.appointment_id.in_(ids),
                AppointmentHost.user_id != Appointment.host_user_id,
            )
            .order_by(AppointmentHost.user_id)
        )
        found: dict[uuid.UUID, list[uuid.UUID]] = {}
        for appointment_id, user_id in (await self.session.execute(stmt)).all():
            found.setdefault(appointment_id, []).append(user_id)
        return found

    async def add_cohosts(self, row: Appointment, user_ids: Sequence[uuid.UUID]) -> None:
        """Collective hosts besides `row.host_user_id`: each one's time is blocked too (the
        exclusion constraint on `appointment_host` decides overlaps, 409)."""
        self.session.add_all(
            AppointmentHost(
                company_id=self.company_id,
                appointment_id=row.id,
                user_id=user_id,
                start_at=row.start_at,
                end_at=row.end_at,
                status=row.status,
            )
            for user_id in user_ids
        )
        await self.session.flush()

    async def lock_host(self, host_id: uuid.UUID) -> None:
        """Serialise every booking decision about one host until the transaction ends."""
        await lock(self.session, f"host:{host_id}")

    async def locked(self, appointment_id: uuid.UUID) -> Appointment | None:
        """The row as committed now, locked for update (fresh even if loaded before)."""
        stmt = (
            self.select(Appointment.id == appointment_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def expire_pending(self, host_id: uuid.UUID, now: datetime) -> None:
        """Pending bookings the host holds (alone or with others) past their expiry stop
        holding their slots."""
        held = select(AppointmentHost.appointment_id).where(
            AppointmentHost.company_id == self.company_id,
            AppointmentHost.user_id == host_id,
            AppointmentHost.status == AppointmentStatus.PENDING,
        )
        stmt = (
            update(Appointment)
            .where(
                self._scope,
                Appointment.id.in_(held),
                Appointment.status == AppointmentStatus.PENDING,
                Appointment.expires_at <= now,
            )
            .values(status=AppointmentStatus.EXPIRED)
            .execution_options(synchronize_session="fetch")
        )
        await self.session.execute(stmt)

    def matching(self, search: str) -> ColumnElement[bool]:
        """Appointments with an attendee whose name or email contains `search`."""
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        full_name = Attendee.firstname + " " + Attendee.lastname
        return exists().where(
            Attendee.company_id == Appointment.company_id,
            Attendee.appointment_id == Appointment.id,
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (Attendee.email, Attendee.firstname, Attendee.lastname)
                ),
                full_name.ilike(pattern, escape="\\"),
            ),
        )

    async def future_of_host(self, host_id: uuid.UUID, now: datetime) -> list[Appointment]:
        """The host's confirmed and pending appointments that have not started, locked."""
        stmt = (
            self.select(
                Appointment.host_user_id == host_id,
                Appointment.status.in_((AppointmentStatus.CONFIRMED, AppointmentStatus.PENDING)),
                Appointment.start_at >= now,
            )
            .order_by(Appointment.start_at)
            .with_for_update()
        )
        return list((await self.session.scalars(stmt)).all())

    async def overlapping_other_host(
        self, rows: Sequence[Appointment], other_host_id: uuid.UUID, now: datetime
    ) -> list[Appointment]:
        """Blocking appointments of `other_host_id` that overlap any of `rows`."""
        if not rows:
            return []
        mine = aliased(Appointment)
        ids = [row.id for row in rows]
        overlap = exists().where(
            mine.company_id == Appointment.company_id,
            mine.id.in_(ids),
            mine.start_at < Appointment.end_at,
            mine.end_at > Appointment.start_at,
        )
        blocking = or_(
            Appointment.status == AppointmentStatus.CONFIRMED,
            and_(
                Appointment.status == AppointmentStatus.PENDING,
                or_(Appointment.expires_at.is_(None), Appointment.expires_at > now),
            ),
        )
        return await self.list(Appointment.host_user_id == other_host_id, blocking, overlap)


def _provisional_state(state: ProvisionalStatus, now: datetime) -> ColumnElement[bool]:
    pending = Appointment.status == AppointmentStatus.PENDING
    lapsed = and_(pending, Appointment.expires_at <= now)
    if state == "pending":
        return and_(pending, or_(Appointment.expires_at.is_(None), Appointment.expires_at > now))
    if state == "expired":
        return or_(Appointment.status == AppointmentStatus.EXPIRED, lapsed)
    if state == "declined_by_host":
        return Appointment.status == AppointmentStatus.DECLINED
    return Appointment.status.in_((AppointmentStatus.CONFIRMED, AppointmentStatus.CANCELLED))


class AttendeeRepository(TenantRepository[Attendee]):
    model = Attendee
    not_found_message = "Attendee not found"

    async def of_appointments(self, appointment_ids: Iterable[uuid.UUID]) -> list[Attendee]:
        ids = list(appointment_ids)
        if not ids:
            return []
        return await self.list(
            Attendee.appointment_id.in_(ids), order_by=[Attendee.created_at, Attendee.id]
        )

    async def active(self, appointment_id: uuid.UUID) -> list[Attendee]:
        return await self.list(
            Attendee.appointment_id == appointment_id,
            Attendee.cancelled_at.is_(None),
            order_by=[Attendee.created_at, Attendee.id],
        )

    async def set_secret(self, appointment_id: uuid.UUID, secret_hash: str) -> None:
        stmt = (
            update(Attendee)
            .where(self._scope, Attendee.appointment_id == appointment_id)
            .values(secret_hash=secret_hash)
            .execution_options(synchronize_session="fetch")
        )
        await self.session.execute(stmt)
