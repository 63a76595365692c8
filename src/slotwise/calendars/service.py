"""Calendar connections of a company's users: list, connect, choose calendars, disconnect.

Connecting asks the server before anything is stored (wrong URL or password is a 400 naming
the field, and nothing is written) and copies the busy time in the same pass, so the new
calendar blocks slots from the first answer on. The request's database connection is given
back to the pool while the server is asked (`release_connection`): nothing has been written yet.
"""

import uuid
from datetime import UTC, datetime

import msgspec
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.calendars import schemas as s
from slotwise.calendars.caldav import CalDavClient
from slotwise.calendars.connect_link import Grant, back_to, make_link, read_token
from slotwise.calendars.feed import feed_url
from slotwise.calendars.http import CalendarError, CredentialsRefused, calendar_http
from slotwise.calendars.providers import DIRECT, OAUTH
from slotwise.calendars.repository import (
    BusyRepository,
    CalendarRepository,
    ConnectionRepository,
    UserZoneRepository,
)
from slotwise.calendars.schemas import Unset
from slotwise.calendars.secrets import Login, seal
from slotwise.calendars.sync import FEED_HREF, Read, StoredCalendar, read_server
from slotwise.calendars.views import connection_view
from slotwise.calendars.wakeups import sync_wakeup
from slotwise.db.session import release_connection
from slotwise.db.tenancy import CompanyId
from slotwise.egress import policy
from slotwise.jobs import after_commit
from slotwise.kit.errors import BadRequest, FieldError, Forbidden, NotFound, ValidationFailed
from slotwise.kit.sealing import Keyring
from slotwise.models import (
    Calendar,
    CalendarConnection,
    CalendarProvider,
    ConnectionStatus,
    uuid7,
)
from slotwise.settings import KEYRING, SETTINGS, Settings

#: what a sealed OAuth state is bound to
OAUTH_STATE = "calendar_oauth_state"
NOT_CONFIGURED = FieldError("provider", "Provider not configured")
PROVIDERS = sorted({*OAUTH, *DIRECT})

#: connecting may take this long (discovery and the first copy of busy time)
CONNECT_TIMEOUT_SECONDS = 20.0


class ConnectionWriter:
    """Connecting a user's calendar in a company: what the API and the connect form share."""

    def __init__(
        self, session: AsyncSession, company_id: CompanyId, settings: Settings, keyring: Keyring
    ) -> None:
        self.session = session
        self.company_id = company_id
        self.settings = settings
        self.keyring = keyring
        self.connections = ConnectionRepository(session, self.company_id)
        self.calendars = CalendarRepository(session, self.company_id)

    async def connect(
        self, host: uuid.UUID, provider: CalendarProvider, login: Login
    ) -> s.Connection:
        zone = (await UserZoneRepository(self.session, self.company_id).get_or_404(host)).timezone
        try:
            allow_private = self.settings.calendar_allow_private_networks
            policy.parse_endpoint(feed_url(login.url), allow_private=allow_private)
        except policy.UrlProblem as exc:
            raise ValidationFailed.field("url", f"The URL {exc}") from exc
        await release_connection(self.session)
        now = datetime.now(UTC)
        row = CalendarConnection(id=uuid7(), user_id=host, provider=provider)
        stored, read = await self._discover(row, login, zone, now)
        return await self._store(row, login, stored, read, now)

    async def _discover(
        self, row: CalendarConnection, login: Login, zone: str, now: datetime
    ) -> tuple[list[StoredCalendar], Read]:
        """Find the calendars and read their busy time (no database connection held)."""
        field = "url"
        try:
            if row.provider is CalendarProvider.ICS:
                stored = [StoredCalendar(uuid7(), FEED_HREF, True, None, None, None)]
            else:
                field = "password"
                async with calendar_http(
                    allow_private=self.settings.calendar_allow_private_networks,
                    username=login.username,
                    password=login.password,
                    timeout_seconds=CONNECT_TIMEOUT_SECONDS,
                ) as http:
                    client = CalDavClient(http)
                    row.home_url = await client.home(login.url)
                    found = await client.calendars(row.home_url)
                if not found:
                    raise ValidationFailed.field("url", "No calendars found at this URL")
                stored = [StoredCalendar(uuid7(), c.href, True, None, None, None) for c in found]
            read = await read_server(
                row,
                login,
                stored,
                zone,
                now,
                allow_private=self.settings.calendar_allow_private_networks,
                timeout_seconds=CONNECT_TIMEOUT_SECONDS,
            )
        except CredentialsRefused as exc:
            raise ValidationFailed.field(field, str(exc)) from exc
        except CalendarError as exc:
            raise ValidationFailed.field("url", str(exc)) from exc
        if read.listing is not None:  # a calendar gone between the two requests is left out
            listed = {c.href for c in read.listing}
            stored = [c for c in stored if c.href in listed]
        return stored, read

    async def _store(
        self,
        row: CalendarConnection,
        login: Login,
        stored: list[StoredCalendar],
        read: Read,
        now: datetime,
    ) -> s.Connection:
        listing = {c.href: c for c in read.listing or []}
        row.credentials = seal(self.keyring, row.id, login)
        row.email = login.username or (policy.parse_endpoint(login.url, allow_private=True).host)
        row.is_primary = not await self.connections.of_user(row.user_id)
        row.status = ConnectionStatus.CONNECTED
        row.synced_at = now
        self.connections.add(row)
        await self.session.flush()
        has_booking_calendar = await self.calendars.booking_calendar(row.user_id) is not None
        busy = BusyRepository(self.session, self.company_id)
        calendars = []
        for item in stored:
            found = listing.get(item.href)
            writable = found is not None and not found.read_only
            receives = writable and not has_booking_calendar
            has_booking_calendar |= receives
            version, modified = read.versions.get(item.href, (None, None))
            calendar = self.calendars.add(
                Calendar(
                    id=item.id,
                    connection_id=row.id,
                    href=item.href,
                    name=found.name if found is not None else "ICS feed",
                    read_only=not writable,
                    is_selected=True,
                    receives_bookings=receives,
                    version=version,
                    last_modified=modified,
                    refreshed_at=now if item.href in read.busy else None,
                )
            )
            calendars.append(calendar)
        await self.session.flush()
        for calendar in calendars:
            await busy.replace(calendar, row.user_id, read.busy.get(calendar.href, []))
        await self.connections.bump_schedule(row.user_id)
        await self.session.refresh(row)
        return connection_view(row, calendars)


class CalendarService(ConnectionWriter):
    """The API's view: the acting user's connections (any user's for admins)."""

    def __init__(
        self, session: AsyncSession, principal: Principal, settings: Settings, keyring: Keyring
    ) -> None:
        super().__init__(session, principal.company_id, settings, keyring)
        self.principal = principal

    async def create(self, data: s.ConnectionCreate) -> s.Connection:
        host = self._user(data.user_id)
        if isinstance(data, s.CaldavCreate):
            login = Login(data.url, data.username, data.password)
            return await self.connect(host, CalendarProvider.CALDAV, login)
        return await self.connect(host, CalendarProvider.ICS, Login(data.url))

    def _user(self, user_id: uuid.UUID | None) -> uuid.UUID:
        other = user_id is not None and user_id != self.principal.user_id
        if other and not self.principal.is_admin:
            raise Forbidden("Admin access required for another user's calendars")
        return user_id or self.principal.user_id

    async def list_connections(self, user_id: uuid.UUID | None) -> s.ConnectionList:
        host = self._user(user_id)
        await UserZoneRepository(self.session, self.company_id).get_or_404(host)
        rows = await self.connections.of_user(host)
        calendars = await self.calendars.of_connections([row.id for row in rows])
        views = [
            connection_view(row, [c for c in calendars if c.connection_id == row.id])
            for row in rows
        ]
        return s.ConnectionList(connections=views, total=len(views))

    async def auth_url(
        self, provider: str, redirect_url: str | None, user_id: uuid.UUID | None
    ) -> s.AuthUrl:
        """meetergo's connect link. OAuth providers need the operator's app; for CalDAV servers
        and feeds it opens slotwise's hosted connect form (partners can also connect them with
        one `POST /v4/calendar-connections`)."""
        host = self._user(user_id)
        await UserZoneRepository(self.session, self.company_id).get_or_404(host)
        oauth = OAUTH.get(provider)
        if oauth is not None:
            client = oauth.client(self.settings)
            if client is None:
                raise BadRequest("Provider not configured", errors=[NOT_CONFIGURED])
            state = self.keyring.seal(
                msgspec.json.encode(
                    {"company": self.company_id, "user": host, "redirect": redirect_url}
                ).decode(),
                OAUTH_STATE,
            )
            base = self.settings.public_url.rstrip("/")
            callback = f"{base}/v4/calendar-connections/auth/{provider}/callback"
            return s.AuthUrl(oauth.authorize_url(client[0], callback, state), provider)
        if provider in DIRECT:
            grant = Grant(self.company_id, host, provider, redirect_url)
            return s.AuthUrl(make_link(self.keyring, self.settings.public_url, grant), provider)
        raise ValidationFailed.field("provider", f"Must be one of {', '.join(PROVIDERS)}")

    async def get(self, connection_id: uuid.UUID) -> s.Connection:
        row = await self._own(connection_id)
        return connection_view(row, await self.calendars.of_connections([row.id]))

    async def _own(self, connection_id: uuid.UUID) -> CalendarConnection:
        row = await self.connections.get_or_404(connection_id)
        if row.user_id != self.principal.user_id and not self.principal.is_admin:
            raise NotFound(self.connections.not_found_message)
        return row

    async def update(self, connection_id: uuid.UUID, data: s.ConnectionUpdate) -> s.Connection:
        row = await self._own(connection_id)
        calendars = await self.calendars.of_connections([row.id])
        by_id = {c.id: c for c in calendars}
        busy = BusyRepository(self.session, self.company_id)
        if not isinstance(data.selected_calendar_ids, Unset):
            unknown = [str(i) for i in data.selected_calendar_ids if i not in by_id]
            if unknown:
                message = f"Not calendars of this connection: {', '.join(unknown)}"
                raise ValidationFailed.field("selectedCalendarIds", message)
            chosen = set(data.selected_calendar_ids)
            for calendar in calendars:
                if calendar.is_selected and calendar.id not in chosen:
                    await busy.clear(calendar.id)
                elif not calendar.is_selected and calendar.id in chosen:
                    calendar.version = None  # copied in by the next sync
                    after_commit(self.session, sync_wakeup(self.company_id, row.id))
                calendar.is_selected = calendar.id in chosen
        if not isinstance(data.booking_calendar_id, Unset):
            await self._booking_calendar(row, by_id, data.booking_calendar_id)
        if not isinstance(data.is_primary, Unset):
            row.is_primary = data.is_primary
        await self.connections.bump_schedule(row.user_id)
        await self.session.flush()
        await self.session.refresh(row)
        return connection_view(row, calendars)

    async def _booking_calendar(
        self, row: CalendarConnection, by_id: dict[uuid.UUID, Calendar], chosen: uuid.UUID | None
    ) -> None:
        if chosen is not None:
            target = by_id.get(chosen)
            if target is None:
                raise ValidationFailed.field(
                    "bookingCalendarId", "Not a calendar of this connection"
                )
            if target.read_only:
                raise ValidationFailed.field("bookingCalendarId", "This calendar is read-only")
            current = await self.calendars.booking_calendar(row.user_id)
            if current is not None and current.id != chosen:
                current.receives_bookings = False
                await self.session.flush()
        for calendar in by_id.values():
            calendar.receives_bookings = calendar.id == chosen

    async def delete(self, connection_id: uuid.UUID) -> None:
        row = await self._own(connection_id)
        await self.connections.bump_schedule(row.user_id)
        await self.connections.remove(row)


async def provide_calendar_service(
    db: NamedDependency[AsyncSession], principal: NamedDependency[Principal], state: State
) -> CalendarService:
    return CalendarService(db, principal, SETTINGS.of(state), KEYRING.of(state))


class LinkConnector:
    """The hosted connect form's submission: the link's grant names the company and the user
    (the company is taken off the sealed grant, as an invitee's is off their appointment). A
    failure is a 400 naming the field, with the partner's error redirect beside it."""

    def __init__(self, session: AsyncSession, settings: Settings, keyring: Keyring) -> None:
        self.session = session
        self.settings = settings
        self.keyring = keyring

    async def connect(self, token: str | None, data: s.LinkConnect) -> s.LinkConnected:
        grant = read_token(self.keyring, token or "")
        if grant is None:
            raise NotFound("This link is no longer valid")
        company_id = CompanyId(grant.company_id)
        writer = ConnectionWriter(self.session, company_id, self.settings, self.keyring)
        try:
            connection = await writer.connect(grant.user_id, *_login(grant.provider, data))
        except ValidationFailed as exc:
            message = exc.errors[0].message if exc.errors else exc.message
            back = back_to(
                grant.redirect_url, error="true", provider=grant.provider, message=message
            )
            raise ValidationFailed(errors=exc.errors, extra={"redirectUrl": back}) from exc
        done = back_to(
            grant.redirect_url,
            success="true",
            provider=grant.provider,
            connectionId=str(connection.id),
        )
        return s.LinkConnected(
            connection_id=connection.id, provider=grant.provider, redirect_url=done
        )


def _login(provider: str, data: s.LinkConnect) -> tuple[CalendarProvider, Login]:
    if provider == "ics":
        return CalendarProvider.ICS, Login(data.url)
    for name, value in (("username", data.username), ("password", data.password)):
        if not value:
            raise ValidationFailed.field(name, "Required")
    return CalendarProvider.CALDAV, Login(data.url, data.username, data.password)


async def provide_link_connector(db: NamedDependency[AsyncSession], state: State) -> LinkConnector:
    return LinkConnector(db, SETTINGS.of(state), KEYRING.of(state))
