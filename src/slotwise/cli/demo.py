"""The demo company `slotwise dev` makes on its first start, so a newcomer's first step can be
opening a booking page: one company, its first API key, one provisioned user."""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.hashing import build_hasher
from slotwise.auth.principal import Principal
from slotwise.auth.verifier import Verifier
from slotwise.companies.service import create_company
from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.db.tenancy import CompanyId
from slotwise.meeting_types.repository import MeetingTypeRepository
from slotwise.meeting_types.service import booking_url
from slotwise.models import Company, CredentialKind, Role, User
from slotwise.settings import Settings
from slotwise.users import inputs
from slotwise.users.provisioning import provision_user
from slotwise.users.repository import UserRepository

DEMO_COMPANY = "Demo company"
DEMO_EMAIL = "ada@demo.slotwise.test"


@dataclass(frozen=True)
class Demo:
    booking_url: str
    #: the company's first API key: only on the start that made it (never stored in clear)
    api_key: str | None = None


async def ensure_demo(settings: Settings) -> Demo | None:
    """Make the demo company on an empty database; find its booking page on later starts.

    None when the database holds other companies but no demo (the operator's own data)."""
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            demo = await session.scalar(select(Company).where(Company.name == DEMO_COMPANY))
            if demo is not None:
                return await _existing(session, CompanyId(demo.id), settings.public_url)
            if await session.scalar(select(func.count()).select_from(Company)):
                return None
            verifier = Verifier(build_hasher(settings.argon2_profile))
            made = await create_company(
                session,
                verifier,
                name=DEMO_COMPANY,
                owner_email="owner@demo.slotwise.test",
                owner_given_name="Demo",
                owner_family_name="Owner",
                timezone="Europe/Berlin",
            )
            owner = Principal(
                company_id=made.company_id,
                credential_id=uuid.UUID(made.api_key.split(":")[1]),
                kind=CredentialKind.API_KEY,
                scopes=frozenset(),
                user_id=uuid.UUID(made.owner_user_id),
                role=Role.OWNER,
                user_from_header=False,
            )
            user = inputs.UserCreate(
                email=DEMO_EMAIL, timezone="Europe/Berlin", given_name="Ada", family_name="Demo"
            )
            created = await provision_user(session, owner, settings.public_url, user)
            return Demo(created.booking_url, made.api_key)
    finally:
        await engine.dispose()


async def _existing(session: AsyncSession, company_id: CompanyId, public_url: str) -> Demo | None:
    host = await UserRepository(session, company_id).first(User.email == DEMO_EMAIL)
    if host is None:
        return None
    kinds = await MeetingTypeRepository(session, company_id).of_user(host.id)
    return Demo(booking_url(public_url, host.slug, kinds[0].slug)) if kinds else None
