"""Bootstrapping a tenant: company, owner user and a first platform API key."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.verifier import Verifier
from slotwise.credentials.repository import CredentialRepository
from slotwise.credentials.service import mint_api_key
from slotwise.db.tenancy import CompanyId
from slotwise.kit.slugs import slugify
from slotwise.models import Company, Role, User, UserType, uuid7
from slotwise.users.repository import UserRepository


@dataclass(frozen=True)
class Bootstrapped:
    company_id: CompanyId
    owner_user_id: str
    api_key: str
    expires_at: datetime


async def create_company(
    session: AsyncSession,
    verifier: Verifier,
    *,
    name: str,
    owner_email: str,
    owner_given_name: str = "Owner",
    owner_family_name: str = "",
    timezone: str = "UTC",
    key_days: int = 90,
) -> Bootstrapped:
    """The one place a CompanyId is minted from a new row."""
    company = Company(id=uuid7(), name=name, timezone=timezone)
    session.add(company)
    await session.flush()
    company_id = CompanyId(company.id)
    owner = await UserRepository(session, company_id).insert(
        User(
            email=owner_email,
            given_name=owner_given_name,
            family_name=owner_family_name,
            timezone=timezone,
            language="en",
            role=Role.OWNER,
            user_type=UserType.STANDARD,
        ),
        slug=slugify(f"{owner_given_name} {owner_family_name}"),
        explicit=False,
    )
    minted = await mint_api_key(
        CredentialRepository(session, company_id),
        verifier,
        name="bootstrap",
        created_by_id=owner.id,
        days=key_days,
    )
    await session.flush()
    return Bootstrapped(company_id, str(owner.id), minted.token, minted.expires_at)
