"""User rules: listing, reading, profile changes, deletion; provisioning lives beside it."""

import uuid
from datetime import UTC, datetime

import msgspec
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.availability.repository import AvailabilityRepository
from slotwise.bookings.services.handover import release_future_bookings
from slotwise.db.settled import next_cursor, polling_window
from slotwise.kit import fields
from slotwise.kit.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from slotwise.kit.polling import NO_POLL, Poll
from slotwise.kit.slugs import with_suffix
from slotwise.kit.wire import sent_fields
from slotwise.meeting_types.repository import MeetingTypeRepository
from slotwise.models import PersonalPage, Role, User, UserType
from slotwise.users import inputs
from slotwise.users import schemas as s
from slotwise.users.provisioning import provision_user
from slotwise.users.repository import PersonalPageRepository, UserRepository

#: who outranks whom when roles change
RANK = {Role.MEMBER: 0, Role.ADMIN: 1, Role.OWNER: 2}

_PROFILE_FIELDS = {
    "given_name": "given_name",
    "family_name": "family_name",
    "timezone": "timezone",
    "language": "language",
    "title": "title",
    "phone": "phone",
    "company": "company_name",
    "date_format": "date_format",
    "time_format": "time_format",
    "week_start": "week_start",
}


class UserService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.users = UserRepository(session, principal.company_id)

    async def me(self) -> s.User:
        return s.User.of(await self.users.get_or_404(self.principal.user_id))

    async def get(self, user_id: uuid.UUID) -> s.User:
        return s.User.of(await self.users.get_or_404(user_id))

    async def provision(self, data: inputs.UserCreate, public_url: str) -> inputs.UserCreated:
        return await provision_user(self.session, self.principal, public_url, data)

    async def list(
        self, limit: int, offset: int, user_type: UserType | None, poll: Poll = NO_POLL
    ) -> s.UserList:
        """Oldest first; when polling by update time, oldest change first past the cursor."""
        where = [User.user_type == user_type] if user_type is not None else []
        order = [User.created_at, User.id]
        polling = await polling_window(self.session, poll.sort_by, poll.since, poll.cursor)
        if polling is not None:
            where += polling.where(User)
            order = [User.updated_at, User.id]
            offset = 0 if poll.cursor else offset
        rows = await self.users.list(*where, order_by=order, limit=limit, offset=offset)
        return s.UserList(
            users=[s.User.of(row) for row in rows],
            total=await self.users.count(*where),
            count=len(rows),
            offset=offset,
            next_cursor=next_cursor(polling, rows, poll.cursor),
        )

    async def update(self, user_id: uuid.UUID, data: inputs.UserUpdate) -> s.User:
        if user_id != self.principal.user_id and not self.principal.is_admin:
            raise Forbidden("Only admins can update other users")
        changes = {
            name: value
            for name in data.__struct_fields__
            if (value := getattr(data, name)) is not msgspec.UNSET
        }
        user = await self.users.get_or_404(user_id, for_update=True)
        self._check(changes)
        if "role" in changes:
            self._set_role(user, Role(str(changes["role"])))
        for wire, column in _PROFILE_FIELDS.items():
            if wire in changes:
                value = changes[wire]
                setattr(user, column, fields.trimmed(value) if isinstance(value, str) else value)
        if "slug" in changes:
            user.slug = str(changes["slug"])
            await self.users.claim_slug(user.id, user.slug)  # a taken slug fails here: 409
        await self.session.flush()
        await self.session.refresh(user)
        return s.User.of(user)

    def _set_role(self, user: User, role: Role) -> None:
        """Make `user` an admin or a member. Nobody grants or takes a role above their own
        (a platform key speaks for the company, like an owner), and the last owner stays."""
        mine = Role.OWNER if self.principal.is_platform_key else self.principal.role
        if not self.principal.is_admin:
            raise Forbidden("Only owners and admins can change roles")
        if max(RANK[user.role], RANK[role]) > RANK[mine]:
            raise Forbidden("Cannot change a role above your own")
        if user.role is Role.OWNER:
            # a company has exactly one owner (a unique index), so the owner is always the last
            raise Conflict("The last owner cannot be demoted")
        user.role = role

    @staticmethod
    def _check(changes: dict[str, object]) -> None:
        errors: list[FieldError] = []
        for field, wire in (("given_name", "givenName"), ("family_name", "familyName")):
            if field in changes:
                value = changes[field]
                errors += fields.name(value if isinstance(value, str) else None, wire)
        if "timezone" in changes:
            errors += fields.zone(str(changes["timezone"]))
        if isinstance(changes.get("date_format"), str):
            errors += fields.date_format(str(changes["date_format"]))
        if isinstance(changes.get("time_format"), str):
            errors += fields.time_format(str(changes["time_format"]))
        if "slug" in changes:
            errors += fields.slug(str(changes["slug"]))
        if errors:
            raise ValidationFailed(errors=errors)

    async def delete(self, user_id: uuid.UUID, data: inputs.UserDelete | None) -> s.Message:
        """Deactivate the user: the row stays for the history that names it (past and
        cancelled appointments, their meeting types), everything else lets go of it at once.

        Its future bookings are cancelled or move to `targetUserId`; its meeting types go to
        the target, or are deleted with it; its credentials stop working (authentication
        finds no live user); its slug and email are free for a new user.
        """
        target_id = data.target_user_id if data is not None else None
        locked = await self.users.locked({user_id} | ({target_id} if target_id else set()))
        user = locked.get(user_id)
        if user is None:
            raise NotFound(UserRepository.not_found_message)
        if user.id == self.principal.user_id or user.role is Role.OWNER:
            raise Forbidden("Cannot delete yourself or the company owner")
        if target_id is not None:
            if target_id == user.id:
                raise ValidationFailed.field("targetUserId", "Must be another user")
            target = locked.get(target_id)
            if target is None:
                raise ValidationFailed.field("targetUserId", "User not found in this company")
            await self._transfer(user, target)
        else:
            await release_future_bookings(self.session, self.principal, user.id)
            await self._retire_meeting_types(user)
        await self.users.update_values(user.id, deleted_at=datetime.now(UTC))
        await self.users.release_slug(user.id)
        await self.session.flush()
        return s.Message(message="User deleted successfully")

    async def _retire_meeting_types(self, user: User) -> None:
        """The user's live meeting types are deleted with it (their booking URLs are 404)."""
        meeting_types = MeetingTypeRepository(self.session, self.principal.company_id)
        now = datetime.now(UTC)
        for mt in await meeting_types.of_user(user.id):
            await meeting_types.update_values(mt.id, deleted_at=now)

    async def _transfer(self, user: User, target: User) -> None:
        """Hand the user's meeting types (deleted ones too: moved appointments still name
        them), the availabilities they use and their future bookings to `target`.

        A slug `target` already uses gets a short suffix (slugs are unique per host among live
        meeting types).
        """
        await release_future_bookings(self.session, self.principal, user.id, target.id)
        meeting_types = MeetingTypeRepository(self.session, self.principal.company_id)
        availabilities = AvailabilityRepository(self.session, self.principal.company_id)
        taken = {mt.slug for mt in await meeting_types.of_user(target.id)}
        moved = await meeting_types.every_of_user(user.id)
        for availability_id in {mt.availability_id for mt in moved}:
            await availabilities.update_values(availability_id, user_id=target.id, is_default=False)
        for mt in moved:
            live = mt.deleted_at is None
            slug = with_suffix(mt.slug) if live and mt.slug in taken else mt.slug
            await meeting_types.update_values(mt.id, user_id=target.id, slug=slug)


async def provide_user_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> UserService:
    return UserService(db, principal)


def personal_page_view(row: PersonalPage | None) -> s.PersonalPage:
    if row is None:
        return s.PersonalPage(
            use_custom_colors=False,
            primary_color=None,
            secondary_color=None,
            header_image=None,
            description=None,
            show_all_meeting_types=True,
            meeting_type_order=[],
            online_profiles={},
        )
    return s.PersonalPage(
        use_custom_colors=row.use_custom_colors,
        primary_color=row.primary_color,
        secondary_color=row.secondary_color,
        header_image=row.header_image,
        description=row.description,
        show_all_meeting_types=row.show_all_meeting_types,
        meeting_type_order=[uuid.UUID(str(item)) for item in row.meeting_type_order],
        online_profiles=dict(row.online_profiles),
    )


class PersonalPageService:
    """The acting user's own personal page settings (meetergo's `/v4/personal-page/me`)."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.pages = PersonalPageRepository(session, principal.company_id)

    async def get(self) -> s.PersonalPage:
        return personal_page_view(await self.pages.of_user(self.principal.user_id))

    async def update(self, data: s.PersonalPageUpdate) -> s.PersonalPage:
        if not isinstance(data.meeting_type_order, msgspec.UnsetType):
            own = MeetingTypeRepository(self.session, self.principal.company_id)
            mine = {row.id for row in await own.of_user(self.principal.user_id)}
            errors = [
                FieldError(f"meetingTypeOrder[{index}]", "Not one of your meeting types")
                for index, item in enumerate(data.meeting_type_order)
                if item not in mine
            ]
            if errors:
                raise ValidationFailed(errors=errors)
        row = await self.pages.locked(self.principal.user_id)
        changes = sent_fields(data)
        if "meeting_type_order" in changes:  # JSON holds the ids as strings
            changes["meeting_type_order"] = [str(item) for item in changes["meeting_type_order"]]
        for name, value in changes.items():
            setattr(row, name, value)
        await self.session.flush()
        return personal_page_view(row)


async def provide_personal_page_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal]
) -> PersonalPageService:
    return PersonalPageService(db, principal)
