"""`POST /v4/user`: one call creates a user, a default availability, a default meeting type and
a live booking URL, in one transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.availability import formats
from slotwise.availability.service import add_availability, read_schedule
from slotwise.kit import fields
from slotwise.kit.errors import FieldError, ValidationFailed
from slotwise.kit.slugs import slugify
from slotwise.meeting_types.schemas import MeetingTypeCreate
from slotwise.meeting_types.service import add_meeting_type, booking_url
from slotwise.meeting_types.validation import inline_meeting_type
from slotwise.models import Role, User, UserType
from slotwise.users import inputs
from slotwise.users.repository import UserRepository
from slotwise.webhooks.events import EventType, emit


def _names(data: inputs.UserCreate) -> tuple[str, str, list[FieldError]]:
    """meetergo documents givenName/familyName and firstname/lastname; the first pair wins."""
    given = data.given_name if data.given_name is not None else data.firstname
    family = data.family_name if data.family_name is not None else data.lastname
    errors = fields.name(given, "givenName") + fields.name(family, "familyName")
    return fields.trimmed(given or ""), fields.trimmed(family or ""), errors


def _schedule(
    inline: inputs.UserAvailability | None,
) -> tuple[formats.Schedule, list[FieldError]]:
    if inline is None or inline.schedule is None:
        return formats.default_schedule(), []
    schedule, errors = read_schedule(inline.schedule, "availability.schedule")
    return schedule or formats.default_schedule(), errors


def _meeting_type(inline: inputs.InlineMeetingType) -> MeetingTypeCreate:
    return inline_meeting_type(
        name=inline.name,
        duration=inline.duration,
        slug=inline.slug,
        channel=inline.channel,
        days_into_future=inline.days_into_future,
    )


def _validate(data: inputs.UserCreate) -> tuple[str, str, str | None, formats.Schedule]:
    given, family, errors = _names(data)
    errors += fields.email(data.email) + fields.zone(data.timezone)
    slug = None
    if data.slug is not None:
        slug = data.slug
        errors += fields.slug(data.slug)
    schedule, schedule_errors = _schedule(data.availability)
    errors += schedule_errors
    if data.availability is not None and data.availability.timezone is not None:
        errors += fields.zone(data.availability.timezone, "availability.timezone")
    if errors:
        raise ValidationFailed(errors=errors)
    return given, family, slug, schedule


async def provision_user(
    session: AsyncSession, principal: Principal, public_url: str, data: inputs.UserCreate
) -> inputs.UserCreated:
    given, family, slug, schedule = _validate(data)
    user = await UserRepository(session, principal.company_id).insert(
        User(
            email=data.email.strip(),
            given_name=given,
            family_name=family,
            timezone=data.timezone,
            language=data.language,
            role=Role.MEMBER,
            user_type=UserType.API_PLATFORM,
        ),
        slug=slug or slugify(f"{given} {family}"),
        explicit=slug is not None,
    )
    inline = data.availability or inputs.UserAvailability()
    availability = await add_availability(
        session,
        principal.company_id,
        user.id,
        name=inline.name,
        timezone=inline.timezone or data.timezone,
        schedule=schedule,
        is_default=True,
    )
    meeting_type = await add_meeting_type(
        session,
        principal.company_id,
        user,
        _meeting_type(data.meeting_type or inputs.InlineMeetingType()),
        availability_id=availability.id,
    )
    created = inputs.UserCreated(
        user_id=user.id,
        availability_id=availability.id,
        meeting_type_id=meeting_type.id,
        booking_url=booking_url(public_url, user.slug, meeting_type.slug),
        company_id=principal.company_id,
    )
    await emit(
        session,
        principal.company_id,
        EventType.NEW_EMPLOYEE,
        {"userId": str(user.id), "email": user.email, "bookingUrl": created.booking_url},
    )
    return created
