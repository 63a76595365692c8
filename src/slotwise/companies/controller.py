"""/v4/company/branding: how the company's invitee pages look."""

from typing import Any

from litestar import Controller, Request, delete, get, patch, put
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from slotwise.auth.access import access
from slotwise.companies import schemas as s
from slotwise.companies.service import (
    BrandingService,
    NotificationSettingsService,
    provide_branding_service,
    provide_notification_settings_service,
)


class CompanyBrandingController(Controller):
    path = "/v4/company/branding"
    tags = ["company"]
    dependencies = {"branding": Provide(provide_branding_service)}
    opt = access(company=True, admin=True, pat_scope="account")

    @get("/")
    async def get_company_branding(self, branding: NamedDependency[BrandingService]) -> s.Branding:
        """The company's branding (owners, admins and platform keys)."""
        return await branding.get()

    @put("/logo", status_code=200)
    async def upload_company_logo(
        self, request: Request[Any, Any, Any], branding: NamedDependency[BrandingService]
    ) -> s.Branding:
        """Upload the logo the pages show (the body is the image: PNG, JPEG, GIF or WebP, up to
        256 KB). The pages load it from slotwise itself, never from another host."""
        return await branding.set_logo(await request.body())

    @delete("/logo", status_code=200)
    async def delete_company_logo(self, branding: NamedDependency[BrandingService]) -> s.Branding:
        """Remove the logo."""
        return await branding.set_logo(b"")

    @patch("/")
    async def update_company_branding(
        self, data: JSONBody[s.BrandingUpdate], branding: NamedDependency[BrandingService]
    ) -> s.Branding:
        """Change the fields sent: display name, colours (#RRGGBB), hiding "Scheduling by
        slotwise", the pages' default language, a privacy policy link (https) and the origins
        allowed to embed the pages."""
        return await branding.update(data)


class CompanyNotificationsController(Controller):
    path = "/v4/company/notifications"
    tags = ["company"]
    dependencies = {"notifications": Provide(provide_notification_settings_service)}
    opt = access(company=True, admin=True, pat_scope="account")

    @get("/")
    async def get_company_notifications(
        self, notifications: NamedDependency[NotificationSettingsService]
    ) -> s.NotificationSettings:
        """Which mails the company's bookings send (owners, admins and platform keys)."""
        return await notifications.get()

    @patch("/")
    async def update_company_notifications(
        self,
        data: JSONBody[s.NotificationSettingsUpdate],
        notifications: NamedDependency[NotificationSettingsService],
    ) -> s.NotificationSettings:
        """Turn the hosts' or the attendees' mails off or on, and set the default reminder
        times (minutes before the start, up to five; `[]` for none). Mails already queued
        stay queued."""
        return await notifications.update(data)
