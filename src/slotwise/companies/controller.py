"""/v4/company/branding: how the company's invitee pages look."""

from litestar import Controller, get, patch
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from slotwise.auth.access import access
from slotwise.companies import schemas as s
from slotwise.companies.service import BrandingService, provide_branding_service


class CompanyBrandingController(Controller):
    path = "/v4/company/branding"
    tags = ["company"]
    dependencies = {"branding": Provide(provide_branding_service)}
    opt = access(company=True, admin=True, pat_scope="account")

    @get("/")
    async def get_company_branding(self, branding: NamedDependency[BrandingService]) -> s.Branding:
        """The company's branding (owners, admins and platform keys)."""
        return await branding.get()

    @patch("/")
    async def update_company_branding(
        self, data: JSONBody[s.BrandingUpdate], branding: NamedDependency[BrandingService]
    ) -> s.Branding:
        """Change the fields sent: display name, colours (#RRGGBB), hiding "Scheduling by
        slotwise", the pages' default language, a privacy policy link (https) and the origins
        allowed to embed the pages."""
        return await branding.update(data)
