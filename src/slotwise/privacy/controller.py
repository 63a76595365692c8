"""Data rights: `GET /v4/user/{id}/export` and `POST /v4/privacy/erase-attendee`."""

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from slotwise.auth.access import access
from slotwise.privacy import schemas as s
from slotwise.privacy.service import (
    ErasureService,
    ExportService,
    provide_erasure_service,
    provide_export_service,
)


class UserExportController(Controller):
    path = "/v4/user"
    tags = ["privacy"]
    dependencies = {"exports": Provide(provide_export_service)}

    @get("/{user_id:uuid}/export", opt=access(company=True, pat_scope="account"))
    async def export_user(
        self, user_id: FromPath[UUID], exports: NamedDependency[ExportService]
    ) -> s.UserExport:
        """Everything stored about one user as one document: profile, personal page,
        availabilities with their exceptions, meeting types, the appointments they host with
        their attendees, their credentials' metadata (never a hash or secret) and the mails
        about their appointments. Webhook subscriptions belong to the company, not to a user,
        and are not part of it. Users export themselves; admins, owners and platform keys any
        user of the company."""
        return await exports.export(user_id)


class PrivacyController(Controller):
    path = "/v4/privacy"
    tags = ["privacy"]
    dependencies = {"erasure": Provide(provide_erasure_service)}
    opt = access(company=True, admin=True, pat_scope="account")

    @post("/erase-attendee", status_code=200)
    async def erase_attendee(
        self, data: JSONBody[s.AttendeeErasure], erasure: NamedDependency[ErasureService]
    ) -> s.AttendeeErased:
        """Erase a person from the company's bookings (owners, admins and platform keys):
        in every attendee row with that email (any case) the name becomes "Erased", the email
        a random `erased-…@invalid` address, and phone, notes and custom-field answers are
        dropped; the copies in the stored booking body and in the mails about those
        appointments are replaced too (mails not yet sent to them are skipped), and the
        address is removed where it was a bring-along guest. Recorded webhook bodies naming the
        address are rewritten the same way (deliveries still pending send the rewritten body;
        ones already delivered cannot be called back). The appointments keep their time and
        status, so the time stays blocked. Answers how many appointments changed: a second
        call answers 0."""
        return await erasure.erase_attendee(data)
