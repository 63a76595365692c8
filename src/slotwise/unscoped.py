"""The ONLY cross-tenant queries. Importable by auth.py and the public booking modules alone."""

import uuid

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.models import (
    Appointment,
    Availability,
    Credential,
    CredentialKind,
    MeetingType,
    Role,
    User,
)


async def find_credential(
    session: AsyncSession, lookup_id: str, acting_user_id: uuid.UUID | None
) -> tuple[Credential, User | None] | None:
    """A credential by its public lookup id, with the user it acts as, in one query.

    A PAT acts as its owner. A platform key acts as the user named by the acting-user header,
    looked up inside the key's company only, or as the company owner when no header was sent.
    """
    pat_owner = and_(Credential.kind == CredentialKind.PAT, User.id == Credential.user_id)
    key_user = and_(
        Credential.kind == CredentialKind.API_KEY,
        User.id == acting_user_id if acting_user_id is not None else User.role == Role.OWNER,
    )
    stmt = (
        select(Credential, User)
        .outerjoin(User, and_(User.company_id == Credential.company_id, or_(pat_owner, key_user)))
        .where(Credential.lookup_id == lookup_id)
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return row[0], row[1]


async def find_public_meeting_type(
    session: AsyncSession, user_slug: str, meeting_type_slug: str
) -> tuple[MeetingType, User, Availability] | None:
    """The bookable meeting type behind a booking URL (`/{userSlug}/{meetingTypeSlug}`)."""
    stmt = (
        select(MeetingType, User, Availability)
        .join(User, and_(User.company_id == MeetingType.company_id, User.id == MeetingType.user_id))
        .join(
            Availability,
            and_(
                Availability.company_id == MeetingType.company_id,
                Availability.id == MeetingType.availability_id,
            ),
        )
        .where(
            User.slug == user_slug,
            MeetingType.slug == meeting_type_slug,
            MeetingType.deleted_at.is_(None),
            MeetingType.enabled.is_(True),
        )
    )
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return row[0], row[1], row[2]


async def find_appointment_for_invitee(
    session: AsyncSession, appointment_id: uuid.UUID
) -> Appointment | None:
    """An appointment by id, whatever its company; the caller must then check the invitee's
    secret against the appointment's attendees before revealing or changing anything."""
    stmt = select(Appointment).where(Appointment.id == appointment_id)
    return (await session.scalars(stmt)).one_or_none()
