"""Who is calling: the verified credential, its company and the user it acts as."""

import uuid
from dataclasses import dataclass

from slotwise.db.tenancy import CompanyId
from slotwise.models import CredentialKind, Role


@dataclass(frozen=True, slots=True)
class Principal:
    company_id: CompanyId
    credential_id: uuid.UUID
    kind: CredentialKind
    scopes: frozenset[str]
    user_id: uuid.UUID
    role: Role
    #: True when a platform key named the acting user with x-meetergo-api-user-id
    user_from_header: bool

    @property
    def is_platform_key(self) -> bool:
        return self.kind is CredentialKind.API_KEY

    @property
    def is_admin(self) -> bool:
        """Platform keys have company-wide access; PATs and OAuth grants carry their user's
        role."""
        return self.is_platform_key or self.role in (Role.OWNER, Role.ADMIN)
