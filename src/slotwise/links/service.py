"""Issuing one-time links and checking that one still books.

A link is a row with the SHA-256 digest of its token, an expiry and, once it booked, the time
and the appointment. Booking through it marks it used in the booking's own transaction (see
`OneTimeLinkRepository.consume`): a failed booking leaves it usable, and of two bookers at
once exactly one gets through.
"""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.tenancy import CompanyId
from slotwise.kit.errors import Gone
from slotwise.links import schemas as s
from slotwise.links.repository import OneTimeLinkRepository
from slotwise.links.tokens import new_token
from slotwise.models import OneTimeLink

#: the path of a link's page; shorter than any user slug, so it never shadows a booking URL
LINK_PATH = "/1t"


class LinkUsed(Gone):
    code = "link_used"
    default_message = "This link has already been used"


class LinkExpired(Gone):
    code = "link_expired"
    default_message = "This link has expired"


def link_url(public_url: str, token: str) -> str:
    """The link's page on the booking site (the base of every meeting type's `bookingUrl`)."""
    return f"{public_url.rstrip('/')}{LINK_PATH}/{token}"


async def issue_link(
    session: AsyncSession,
    company_id: CompanyId,
    meeting_type_id: uuid.UUID,
    *,
    created_by: uuid.UUID | None,
    expires_in_days: int,
    public_url: str,
) -> s.OneTimeLinkCreated:
    """A new link to an (already checked) meeting type; its token is returned only here."""
    token, hashed = new_token()
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days)
    row = OneTimeLinkRepository(session, company_id).add(
        OneTimeLink(
            meeting_type_id=meeting_type_id,
            token_hash=hashed,
            expires_at=expires_at,
            created_by=created_by,
        )
    )
    await session.flush()
    url = link_url(public_url, token)
    return s.OneTimeLinkCreated(
        id=row.id,
        url=url,
        link=url,
        token=token,
        expires_at=expires_at,
        meeting_type_id=meeting_type_id,
    )


def check_open(link: OneTimeLink, now: datetime) -> None:
    """410 for a link that can book no more: used, or expired unused."""
    if link.used_at is not None:
        raise LinkUsed()
    if link.expires_at <= now:
        raise LinkExpired()


async def consume(session: AsyncSession, link: OneTimeLink) -> None:
    """Mark `link` used in the current transaction, or 410 when it no longer books (used
    meanwhile: another booking through it committed first; or expired)."""
    links = OneTimeLinkRepository(session, CompanyId(link.company_id))
    if await links.consume(link.id):
        return
    raise LinkUsed() if await links.is_used(link.id) else LinkExpired()


async def record_appointment(
    session: AsyncSession, link: OneTimeLink, appointment_id: uuid.UUID
) -> None:
    await OneTimeLinkRepository(session, CompanyId(link.company_id)).record_appointment(
        link.id, appointment_id
    )
