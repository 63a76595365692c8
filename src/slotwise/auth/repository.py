"""The verified credential's own row, scoped to its company like every tenant query."""

from slotwise.db.tenancy import TenantRepository
from slotwise.models import Credential


class CredentialUseRepository(TenantRepository[Credential]):
    """The verified credential's own row, to record when it was last used."""

    model = Credential
