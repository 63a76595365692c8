"""Availability rules: the acting user's weekly schedules, exceptions and public holidays."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.availability import formats
from slotwise.availability import schemas as s
from slotwise.availability.holidays import HolidayError, holiday_blocks, resolve_region
from slotwise.availability.repository import (
    AvailabilityRepository,
    ExceptionRepository,
    MeetingTypeUseRepository,
)
from slotwise.db.tenancy import CompanyId
from slotwise.kit import fields
from slotwise.kit.errors import Conflict, FieldError, ValidationFailed, check_limit
from slotwise.models import Availability, AvailabilityException, MeetingType
from slotwise.settings import Settings

ONE_REQUIRED = "One availability is required"
TITLE_LENGTH = 200
EVERY_DAY_OFF = formats.Schedule((formats.OFF,) * 7)


class LastAvailability(Conflict):
    """A user keeps at least one availability: new meeting types need one to fall back on."""

    code = "last_availability"
    default_message = ONE_REQUIRED


class AvailabilityInUse(Conflict):
    code = "availability_in_use"
    default_message = "Cannot delete availability - it is used by other meeting types"


def read_schedule(value: object, prefix: str) -> tuple[formats.Schedule | None, list[FieldError]]:
    """Any accepted schedule form, or every violation as a field error under `prefix`."""
    try:
        return formats.parse_schedule(value, prefix=prefix), []
    except formats.ScheduleError as exc:
        return None, [FieldError(path, msg) for path, msg in exc.errors]


def parse_schedule(value: object, prefix: str = "schedule") -> formats.Schedule:
    schedule, errors = read_schedule(value, prefix)
    if schedule is None:
        raise ValidationFailed(errors=errors)
    return schedule


def check_zone(value: str, field: str = "timezone") -> str:
    errors = fields.zone(value, field)
    if errors:
        raise ValidationFailed(errors=errors)
    return value


async def add_availability(
    session: AsyncSession,
    company_id: CompanyId,
    user_id: uuid.UUID,
    *,
    name: str,
    timezone: str,
    schedule: formats.Schedule,
    is_default: bool,
) -> Availability:
    """Insert an availability for a user; `is_default` moves the user's default flag to it."""
    check_zone(timezone)
    availabilities = AvailabilityRepository(session, company_id)
    if is_default:
        await availabilities.clear_default(user_id)
    row = availabilities.add(
        Availability(
            user_id=user_id,
            name=name,
            timezone=timezone,
            is_default=is_default,
            schedule=dict(formats.to_wire(schedule)),
        )
    )
    await session.flush()
    return row


async def remove_availability(
    session: AsyncSession,
    company_id: CompanyId,
    row: Availability,
    *,
    besides: uuid.UUID | None = None,
) -> None:
    """Soft-delete an availability no live meeting type (other than `besides`) books against.

    The user's last availability stays (400); a deleted default passes to the oldest remaining.
    """
    availabilities = AvailabilityRepository(session, company_id)
    live = await availabilities.lock_of_user(row.user_id)
    users = await MeetingTypeUseRepository(session, company_id).using(row.id, besides=besides)
    if users:
        raise AvailabilityInUse(extra={"sharedWith": shared_with(users)})
    rest = [other for other in live if other.id != row.id]
    if not rest:
        raise LastAvailability()
    was_default = row.is_default
    row.is_default = False
    row.deleted_at = datetime.now(UTC)
    await session.flush()
    if was_default:
        rest[0].is_default = True
        await session.flush()


def shared_with(meeting_types: Sequence[MeetingType]) -> list[dict[str, str]]:
    return [{"id": str(item.id), "slug": item.slug} for item in meeting_types]


def _holiday_region(data: s.HolidayImport) -> tuple[str | None, str]:
    """The subdivision asked for and the field that named it (`germanState` is meetergo's)."""
    if data.german_state is None:
        return data.subdivision, "subdivision"
    if data.subdivision is not None and data.subdivision.upper() != data.german_state.upper():
        raise ValidationFailed.field("germanState", "Differs from subdivision; send one of them")
    return data.german_state, "germanState"


class AvailabilityService:
    def __init__(self, session: AsyncSession, principal: Principal, settings: Settings) -> None:
        self.session = session
        self.max_exceptions = settings.max_exceptions_per_availability
        self.company_id = principal.company_id
        self.user_id = principal.user_id
        self.availabilities = AvailabilityRepository(session, principal.company_id)
        self.exceptions = ExceptionRepository(session, principal.company_id)

    async def _view(self, row: Availability) -> s.Availability:
        return s.Availability.of(row, await self.exceptions.of([row.id]))

    async def list_availabilities(self) -> list[s.Availability]:
        rows = await self.availabilities.of_user(self.user_id)
        exceptions: dict[uuid.UUID, list[AvailabilityException]] = {row.id: [] for row in rows}
        for item in await self.exceptions.of(list(exceptions)):
            exceptions[item.availability_id].append(item)
        return [s.Availability.of(row, exceptions[row.id]) for row in rows]

    async def get(self, availability_id: uuid.UUID) -> s.Availability:
        return await self._view(await self.availabilities.owned(availability_id, self.user_id))

    async def create(self, data: s.AvailabilityCreate) -> s.Availability:
        schedule = EVERY_DAY_OFF
        if data.schedule is not None:
            schedule = parse_schedule(data.schedule)
        first = await self.availabilities.default_of(self.user_id) is None
        row = await add_availability(
            self.session,
            self.company_id,
            self.user_id,
            name=data.name,
            timezone=data.timezone,
            schedule=schedule,
            is_default=first,
        )
        return s.Availability.of(row, [])

    async def update(
        self, availability_id: uuid.UUID, data: s.AvailabilityUpdate
    ) -> s.Availability:
        row = await self.availabilities.owned(availability_id, self.user_id, for_update=True)
        if isinstance(data.timezone, str):
            row.timezone = check_zone(data.timezone)
        if data.schedule is not msgspec.UNSET:
            row.schedule = dict(formats.to_wire(parse_schedule(data.schedule)))
        if isinstance(data.name, str):
            row.name = data.name
        if data.is_default is True and not row.is_default:
            await self.availabilities.clear_default(self.user_id)
            row.is_default = True
        elif data.is_default is False and row.is_default:
            raise ValidationFailed.field(
                "isDefault", "Set isDefault on another availability to move the default"
            )
        await self.session.flush()
        await self.session.refresh(row, ["updated_at"])
        return await self._view(row)

    async def delete(self, availability_id: uuid.UUID) -> None:
        row = await self.availabilities.owned(availability_id, self.user_id, for_update=True)
        await remove_availability(self.session, self.company_id, row)

    async def add_exception(
        self, availability_id: uuid.UUID, data: s.ExceptionCreate
    ) -> s.AvailabilityException:
        row = await self.availabilities.owned(availability_id, self.user_id)
        if data.end <= data.start:
            raise ValidationFailed.field("end", "Must be after start")
        await self._check_room(row.id, 1)
        item = self.exceptions.add(
            AvailabilityException(
                availability_id=row.id,
                available=data.available,
                start=data.start,
                end=data.end,
                title=data.title,
            )
        )
        await self.session.flush()
        return s.AvailabilityException.of(item)

    async def delete_exception(self, availability_id: uuid.UUID, exception_id: uuid.UUID) -> None:
        row = await self.availabilities.owned(availability_id, self.user_id)
        item = await self.exceptions.owned(exception_id, row.id)
        await self.exceptions.delete(item.id)

    async def import_holidays(
        self, availability_id: uuid.UUID, data: s.HolidayImport
    ) -> list[s.AvailabilityException]:
        row = await self.availabilities.owned(availability_id, self.user_id)
        subdivision, field = _holiday_region(data)
        try:
            country, subdiv = resolve_region(data.country, subdivision)
            blocks = holiday_blocks(data.year, country, subdiv, row.timezone)
        except HolidayError as exc:
            name = {"subdivision": field, "zone": "timezone"}.get(exc.field, exc.field)
            raise ValidationFailed.field(name, exc.message) from exc
        region = f"{country}-{subdiv}" if subdiv else country
        holidays = {
            f"{region}:{block.key}": (block.start, block.end, block.title[:TITLE_LENGTH])
            for block in blocks
        }
        # all or nothing: an import that would pass the cap adds none of its holidays
        await self._check_room(row.id, len(holidays), holidays=list(holidays))
        added = await self.exceptions.add_holidays(
            row.id, [(key, *values) for key, values in holidays.items()]
        )
        return [s.AvailabilityException.of(item) for item in added]

    async def _check_room(
        self, availability_id: uuid.UUID, adding: int, *, holidays: Sequence[str] = ()
    ) -> None:
        """Lock the availability's exceptions and refuse `adding` more past the cap; holidays
        already imported (named in `holidays`) are not added again, so they do not count."""
        await self.exceptions.lock_of(availability_id)
        if holidays:
            adding -= await self.exceptions.count_imported(availability_id, holidays)
        count = await self.exceptions.count_of(availability_id)
        check_limit(count, adding, self.max_exceptions, "Exception", "availability")


async def provide_availability_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> AvailabilityService:
    return AvailabilityService(db, principal, settings)
