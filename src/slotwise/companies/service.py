"""Bootstrapping a tenant: company, owner user and a first platform API key."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.tokens import new_api_key
from slotwise.auth.verifier import Verifier
from slotwise.db.tenancy import CompanyId
from slotwise.kit.slugs import slugify
from slotwise.models import Company, Credential, CredentialKind, Role, User, UserType, uuid7
from slotwise.users.store import insert_user


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
    owner = await insert_user(
        session,
        company_id,
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
        slug_explicit=False,
    )
    key_id = uuid7()
    token = new_api_key(key_id)
    expires_at = datetime.now(UTC) + timedelta(days=key_days)
    session.add(
        Credential(
            id=key_id,
            company_id=company_id,
            kind=CredentialKind.API_KEY,
            lookup_id=token.lookup_id,
            secret_hash=verifier.hash(token.secret),
            display_prefix=token.display_prefix,
            name="bootstrap",
            scopes=[],
            active=True,
            created_by_id=owner.id,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return Bootstrapped(company_id, str(owner.id), token.token, expires_at)
