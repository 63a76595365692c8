"""Meeting type rules: the acting user's bookable templates, their slugs and booking URLs."""

import uuid
from datetime import UTC, datetime

import msgspec
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.availability import formats
from slotwise.availability.repository import AvailabilityRepository
from slotwise.availability.service import (
    EVERY_DAY_OFF,
    add_availability,
    check_zone,
    parse_schedule,
    remove_availability,
)
from slotwise.db.settled import next_cursor, polling_window
from slotwise.db.tenancy import CompanyId
from slotwise.kit.errors import Forbidden, MeetingTypeDisabled, ValidationFailed, check_limit
from slotwise.kit.pagination import DEFAULT_PAGE_SIZE, window
from slotwise.kit.polling import NO_POLL, Poll
from slotwise.kit.slugs import slugify
from slotwise.links.schemas import OneTimeLink, OneTimeLinkCreate, OneTimeLinkCreated
from slotwise.links.service import issue_link
from slotwise.meeting_types import schemas as s
from slotwise.meeting_types import validation
from slotwise.meeting_types.repository import HostRepository, MeetingTypeRepository
from slotwise.meeting_types.views import meeting_type_view
from slotwise.models import MeetingType, User
from slotwise.settings import Settings

DEFAULT_AVAILABILITY = "Working hours"


def booking_url(public_url: str, user_slug: str, meeting_type_slug: str) -> str:
    return f"{public_url.rstrip('/')}/{user_slug}/{meeting_type_slug}"


async def add_meeting_type(
    session: AsyncSession,
    company_id: CompanyId,
    host: User,
    data: s.MeetingTypeCreate,
    *,
    availability_id: uuid.UUID,
) -> MeetingType:
    """Validate, fill in the defaults and insert; a slug derived from the name gets a suffix
    when the host already uses it, an explicit one that is taken is a 409."""
    info = data.meeting_info
    row = MeetingType(
        user_id=host.id,
        availability_id=availability_id,
        enabled=data.enabled,
        name=info.name,
        description=info.description,
        duration=info.duration,
        channel=validation.channel(info.channel),
        custom_channel_name=info.custom_channel_name,
        custom_channel_link=info.custom_channel_link,
        buffer_before=info.buffer_before,
        buffer_after=info.buffer_after,
        color=validation.one_color(info.color, data.color),
        timeslot_interval=data.timeslot_interval,
        booking_minimum=data.booking_minimum,
        days_into_future=validation.days_into_future(data.days_into_future),
        spots=data.spots,
        meeting_options=validation.redirect_options(
            info, validation.meeting_options(data.meeting_options)
        ),
        meta=validation.metadata(data.metadata),
        locations=validation.locations(data.locations),
        custom_fields=validation.custom_fields(data.custom_fields),
        price=validation.price(data.price),
        currency=data.currency,
        reminders=validation.reminders(data.reminders),
    )
    validation.check(row)
    derived = slugify(info.name, pad="meeting")
    slug = derived if data.slug is None else validation.checked_slug(data.slug)
    repository = MeetingTypeRepository(session, company_id)
    return await repository.insert(row, slug=slug, explicit=data.slug is not None)


class MeetingTypeService:
    def __init__(self, session: AsyncSession, principal: Principal, settings: Settings) -> None:
        self.session = session
        self.principal = principal
        self.company_id = principal.company_id
        self.user_id = principal.user_id
        self.public_url = settings.public_url
        self.max_per_user = settings.max_meeting_types_per_user
        self.meeting_types = MeetingTypeRepository(session, principal.company_id)
        self.availabilities = AvailabilityRepository(session, principal.company_id)
        self.hosts = HostRepository(session, principal.company_id)

    async def _host(self) -> User:
        return await self.hosts.live(self.user_id)

    async def _host_for(self, user_id: uuid.UUID | None) -> User:
        """The acting user, or the company's user an admin or platform key names."""
        if user_id is None or user_id == self.user_id:
            return await self._host()
        if not self.principal.is_admin:
            raise Forbidden("Only admins and platform keys create meeting types for other users")
        return await self.hosts.live(user_id)

    def _view(self, row: MeetingType, host: User) -> s.MeetingType:
        return meeting_type_view(row, booking_url(self.public_url, host.slug, row.slug))

    async def list_meeting_types(
        self, page: int | None = None, page_size: int | None = None, poll: Poll = NO_POLL
    ) -> tuple[list[s.MeetingType], int, str | None]:
        """The acting user's live meeting types, oldest first (a page of them when asked), how
        many there are, and when polling by update time the next cursor."""
        host = await self._host()
        polling = await polling_window(self.session, poll.sort_by, poll.since, poll.cursor)
        if polling is not None and page_size is None:
            page_size = DEFAULT_PAGE_SIZE
        offset, limit = window(None if poll.cursor else page, page_size)
        rows = await self.meeting_types.of_user(
            host.id, offset=offset, limit=limit, updated=polling
        )
        total = len(rows) if limit is None else await self.meeting_types.count_of_user(host.id)
        cursor = next_cursor(polling, rows, poll.cursor)
        return [self._view(row, host) for row in rows], total, cursor

    async def get(self, meeting_type_id: uuid.UUID) -> s.MeetingType:
        host = await self._host()
        return self._view(await self.meeting_types.owned(meeting_type_id, host.id), host)

    async def create(self, data: s.MeetingTypeCreate) -> s.CreatedMeetingType:
        host = await self._host_for(data.user_id)
        await self.meeting_types.lock_of_user(host.id)
        count = await self.meeting_types.count_of_user(host.id)
        check_limit(count, 1, self.max_per_user, "Meeting type", "user")
        availability_id = await self._availability_for(data, host)
        row = await add_meeting_type(
            self.session, self.company_id, host, data, availability_id=availability_id
        )
        view = self._view(row, host)
        link = await self._issue_link(row.id, OneTimeLinkCreate()) if data.wants_link else None
        return s.CreatedMeetingType(
            **msgspec.structs.asdict(view),
            one_time_link=None if link is None else _without_type(link),
        )

    async def create_one_time_link(
        self, meeting_type_id: uuid.UUID, data: OneTimeLinkCreate | None
    ) -> OneTimeLinkCreated:
        """A one-time booking link to one of the acting user's meeting types; a disabled type
        is refused as a booking of it would be (409), a deleted one is a 404."""
        host = await self._host()
        row = await self.meeting_types.owned(meeting_type_id, host.id)
        if not row.enabled:
            raise MeetingTypeDisabled()
        return await self._issue_link(row.id, data or OneTimeLinkCreate())

    async def _issue_link(
        self, meeting_type_id: uuid.UUID, data: OneTimeLinkCreate
    ) -> OneTimeLinkCreated:
        return await issue_link(
            self.session,
            self.company_id,
            meeting_type_id,
            created_by=self.user_id,
            expires_in_days=data.expires_in_days,
            public_url=self.public_url,
        )

    async def _availability_for(self, data: s.MeetingTypeCreate, host: User) -> uuid.UUID:
        """`availabilityId`, else a new inline availability, else the host's default."""
        if data.availability_id is not None and data.availability is not None:
            message = "Send availabilityId or availability, not both"
            raise ValidationFailed.field("availability", message)
        if data.availability_id is not None:
            found = await self.availabilities.owned(data.availability_id, host.id, for_update=True)
            return found.id
        default = await self.availabilities.default_of(host.id)
        if data.availability is not None:
            inline = data.availability
            schedule = EVERY_DAY_OFF
            if inline.schedule is not None:
                schedule = parse_schedule(inline.schedule, "availability.schedule")
            created = await add_availability(
                self.session,
                self.company_id,
                host.id,
                name=inline.name,
                timezone=check_zone(inline.timezone, "availability.timezone"),
                schedule=schedule,
                is_default=default is None,
            )
            return created.id
        if default is not None:
            return default.id
        # a host without any availability (a bootstrapped owner) gets the standard working week
        created = await add_availability(
            self.session,
            self.company_id,
            host.id,
            name=DEFAULT_AVAILABILITY,
            timezone=host.timezone,
            schedule=formats.default_schedule(),
            is_default=True,
        )
        return created.id

    async def update(self, meeting_type_id: uuid.UUID, data: s.MeetingTypeUpdate) -> s.MeetingType:
        host = await self._host()
        row = await self.meeting_types.owned(meeting_type_id, host.id, for_update=True)
        if isinstance(data.availability_id, uuid.UUID):
            found = await self.availabilities.owned(data.availability_id, host.id, for_update=True)
            row.availability_id = found.id
        validation.apply_update(row, data)
        await self.session.flush()
        await self.session.refresh(row, ["updated_at"])
        return self._view(row, host)

    async def delete(self, meeting_type_id: uuid.UUID, *, delete_availability: bool) -> None:
        row = await self.meeting_types.owned(meeting_type_id, self.user_id, for_update=True)
        if delete_availability:
            availability = await self.availabilities.owned(
                row.availability_id, self.user_id, for_update=True
            )
            await remove_availability(self.session, self.company_id, availability, besides=row.id)
        row.deleted_at = datetime.now(UTC)
        await self.session.flush()


def _without_type(link: OneTimeLinkCreated) -> OneTimeLink:
    """The link as the new meeting type's answer nests it (the type's id is the answer's)."""
    fields = msgspec.structs.asdict(link)
    del fields["meeting_type_id"]
    return OneTimeLink(**fields)


async def provide_meeting_type_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> MeetingTypeService:
    return MeetingTypeService(db, principal, settings)
