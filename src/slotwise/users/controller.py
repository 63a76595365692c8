"""/v4/user routes."""

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from slotwise.auth.access import access
from slotwise.kit.pagination import DEFAULT_PAGE_SIZE, Limit, Offset
from slotwise.kit.polling import Poll, PollCursor, PollSort, UpdatedSince
from slotwise.models import UserType
from slotwise.settings import Settings
from slotwise.users import inputs
from slotwise.users import schemas as s
from slotwise.users.service import (
    PersonalPageService,
    UserService,
    provide_personal_page_service,
    provide_user_service,
)
from slotwise.web.form_bodies import FormRequest
from slotwise.web.idempotency import Idempotency, provide_idempotency


class UserController(Controller):
    path = "/v4/user"
    tags = ["users"]
    dependencies = {
        "users": Provide(provide_user_service),
        "idempotency": Provide(provide_idempotency),
    }

    @post(
        "/",
        opt=access(company=True, pat=False),
        status_code=201,
        request_class=FormRequest,  # meetergo's page shows the body as a multipart form
    )
    async def create_user(
        self,
        data: JSONBody[inputs.UserCreate],
        users: NamedDependency[UserService],
        idempotency: NamedDependency[Idempotency],
        settings: NamedDependency[Settings],
    ) -> Response[inputs.UserCreated]:
        """Provision a user with a default availability, meeting type and live booking URL.

        The body may also be a form (`multipart/form-data` or
        `application/x-www-form-urlencoded`) with the same fields, `availability` and
        `meetingType` as JSON text."""
        return await idempotency.run(
            lambda: users.provision(data, settings.public_url), status_code=201
        )

    @get("/", opt=access(company=True, pat_scope="account", admin=True))
    async def list_users(
        self,
        *,
        users: NamedDependency[UserService],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
        user_type: Annotated[UserType | None, QueryParameter(name="userType")] = None,
        sort_by: PollSort = None,
        updated_since: UpdatedSince = None,
        cursor: PollCursor = None,
    ) -> s.UserList:
        """List the company's users (admin). With `sortBy=updatedAt`, oldest change first,
        polled with `updatedSince` and each answer's `nextCursor` as `cursor` (deletions:
        `GET /v4/changes`)."""
        poll = Poll(sort_by, updated_since, cursor)
        return await users.list(limit, offset, user_type, poll)

    @get("/me", opt=access(company=True))
    async def get_current_user(self, users: NamedDependency[UserService]) -> s.User:
        """The acting user (the company owner for a platform key without the acting-user header)."""
        return await users.me()

    @get("/{user_id:uuid}", opt=access(company=True, pat_scope="account"))
    async def get_user(
        self, user_id: FromPath[UUID], users: NamedDependency[UserService]
    ) -> s.User:
        """One user of the company."""
        return await users.get(user_id)

    @patch("/{user_id:uuid}", opt=access(company=True, pat_scope="account"))
    async def update_user(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[inputs.UserUpdate],
        users: NamedDependency[UserService],
    ) -> s.User:
        """Update profile fields; users change their own profile, admins anyone's."""
        return await users.update(user_id, data)

    @delete("/{user_id:uuid}", opt=access(company=True, pat=False, admin=True), status_code=200)
    async def delete_user(
        self,
        user_id: FromPath[UUID],
        users: NamedDependency[UserService],
        data: JSONBody[inputs.UserDelete | None] = None,
    ) -> s.Message:
        """Delete a user; `targetUserId` first hands their meeting types to another user."""
        return await users.delete(user_id, data)


class PersonalPageController(Controller):
    """meetergo's personal page settings: colours, description, which types the page lists."""

    path = "/v4/personal-page"
    tags = ["users"]
    dependencies = {"pages": Provide(provide_personal_page_service)}
    opt = access(company=True, pat_scope="account")

    @get("/me")
    async def get_personal_page(
        self, pages: NamedDependency[PersonalPageService]
    ) -> s.PersonalPage:
        """The acting user's personal page settings."""
        return await pages.get()

    @patch("/me")
    async def update_personal_page(
        self, data: JSONBody[s.PersonalPageUpdate], pages: NamedDependency[PersonalPageService]
    ) -> s.PersonalPage:
        """Change the fields sent; `useCustomColors` puts the user's colours on their pages in
        place of the company's."""
        return await pages.update(data)
