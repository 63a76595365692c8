"""Plain async factories that commit real rows through the services."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.hashing import build_hasher
from slotwise.auth.principal import Principal
from slotwise.auth.scopes import ScopeName
from slotwise.auth.tokens import new_oauth_access_token
from slotwise.auth.verifier import Verifier
from slotwise.availability.formats import default_schedule
from slotwise.availability.repository import ExceptionRepository
from slotwise.availability.service import add_availability
from slotwise.bookings import schemas as bs
from slotwise.bookings.secret import new_secret
from slotwise.bookings.services.booking import BookingService
from slotwise.calendars.repository import CalendarRepository, ConnectionRepository
from slotwise.calendars.secrets import Login
from slotwise.calendars.secrets import seal as seal_login
from slotwise.companies.service import create_company
from slotwise.credentials import schemas as cs
from slotwise.credentials.service import CredentialService
from slotwise.db.session import create_engine, create_sessionmaker
from slotwise.db.tenancy import CompanyId
from slotwise.kit.slugs import slugify
from slotwise.links.schemas import OneTimeLinkCreated
from slotwise.links.service import issue_link
from slotwise.meeting_types.service import add_meeting_type
from slotwise.meeting_types.validation import inline_meeting_type
from slotwise.models import (
    Appointment,
    AppointmentStatus,
    Attendee,
    AvailabilityException,
    Calendar,
    CalendarConnection,
    CalendarProvider,
    ConnectionStatus,
    Credential,
    CredentialKind,
    EndpointStatus,
    Queue,
    QueueMember,
    QueueUserGroup,
    Role,
    User,
    UserType,
    WebhookEndpoint,
    uuid7,
)
from slotwise.oauth import schemas as oauth_schemas
from slotwise.oauth.repository import GrantRepository
from slotwise.oauth.service import OAuthService
from slotwise.settings import Settings
from slotwise.users.repository import UserRepository
from slotwise.webhooks import sealed_secrets, signing
from slotwise.webhooks.events import EventType, emit
from slotwise.webhooks.repository import DeliveryRepository, EndpointRepository

VERIFIER = Verifier(build_hasher("cheapest"))


@dataclass(frozen=True)
class Tenant:
    company_id: CompanyId
    owner_id: uuid.UUID
    api_key: str

    @property
    def key_id(self) -> uuid.UUID:
        return uuid.UUID(self.api_key.split(":")[1])

    def headers(self, user_id: uuid.UUID | None = None) -> dict[str, str]:
        headers = {"authorization": f"Bearer {self.api_key}"}
        if user_id is not None:
            headers["x-meetergo-api-user-id"] = str(user_id)
        return headers


@asynccontextmanager
async def session_for(settings: Settings) -> AsyncIterator[AsyncSession]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


def owner_principal(tenant: Tenant) -> Principal:
    return Principal(
        company_id=tenant.company_id,
        credential_id=tenant.key_id,
        kind=CredentialKind.API_KEY,
        scopes=frozenset(),
        user_id=tenant.owner_id,
        role=Role.OWNER,
        user_from_header=False,
    )


async def make_tenant(settings: Settings, name: str = "Acme") -> Tenant:
    tag = uuid.uuid4().hex[:8]
    async with session_for(settings) as session:
        made = await create_company(
            session,
            VERIFIER,
            name=name,
            owner_email=f"owner-{tag}@{name.lower()}.test",
            owner_given_name=name,
            owner_family_name="Owner",
        )
    return Tenant(made.company_id, uuid.UUID(made.owner_user_id), made.api_key)


async def make_user(
    settings: Settings, tenant: Tenant, *, role: Role = Role.MEMBER, given_name: str = "Mia"
) -> uuid.UUID:
    tag = uuid.uuid4().hex[:8]
    async with session_for(settings) as session:
        user = await UserRepository(session, tenant.company_id).insert(
            User(
                email=f"{given_name.lower()}-{tag}@example.test",
                given_name=given_name,
                family_name="Member",
                timezone="Europe/Berlin",
                language="en",
                role=role,
                user_type=UserType.API_PLATFORM,
            ),
            slug=slugify(f"{given_name} {tag}"),
            explicit=False,
        )
        return user.id


async def make_api_key(settings: Settings, tenant: Tenant, days: int = 30) -> cs.ApiKeyCreated:
    async with session_for(settings) as session:
        service = CredentialService(session, owner_principal(tenant), VERIFIER, settings)
        return await service.create_api_key(cs.ApiKeyCreate(expires_in_days=days))


async def make_pat(
    settings: Settings,
    tenant: Tenant,
    user_id: uuid.UUID,
    scopes: tuple[ScopeName, ...] = ("scheduling", "account"),
    style: cs.TokenFormat = "rgo",
) -> cs.PersonalAccessTokenCreated:
    async with session_for(settings) as session:
        service = CredentialService(session, owner_principal(tenant), VERIFIER, settings)
        return await service.create_token(
            user_id,
            cs.PersonalAccessTokenCreate(
                name=f"t-{uuid.uuid4().hex[:6]}", scopes=list(scopes), format=style
            ),
        )


async def make_oauth_grant(
    settings: Settings, tenant: Tenant, user_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID, str]:
    """An OAuth client and a grant of it to `user_id`: (client id, grant id, access token)."""
    async with session_for(settings) as session:
        created = await OAuthService(session, owner_principal(tenant), settings).create_client(
            oauth_schemas.OAuthClientCreate(
                name="Matrix app",
                redirect_uris=["https://app.example.test/callback"],
                scopes=["scheduling", "account"],
            )
        )
        access = new_oauth_access_token()
        grant = GrantRepository(session, tenant.company_id).add(
            Credential(
                id=uuid7(),
                kind=CredentialKind.OAUTH,
                lookup_id=access.lookup_id,
                secret_hash=VERIFIER.hash(access.secret),
                display_prefix=access.display_prefix,
                name="Matrix app",
                scopes=["scheduling", "account"],
                user_id=user_id,
                created_by_id=user_id,
                oauth_client_id=created.id,
                active=True,
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
        )
        return created.id, grant.id, access.token


def lookup_of(token: str) -> str:
    return token.split(":")[1] if token.startswith("ak_live:") else token[4:12]


async def alter_credential(settings: Settings, token: str, **values: object) -> None:
    """Expire, deactivate or revoke a credential behind the API's back."""
    async with session_for(settings) as session:
        await session.execute(
            update(Credential).where(Credential.lookup_id == lookup_of(token)).values(**values)
        )


def past() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=1)


@dataclass(frozen=True)
class Scheduling:
    """A user's availability (with one blocking exception) and a meeting type using it."""

    availability_id: uuid.UUID
    exception_id: uuid.UUID
    meeting_type_id: uuid.UUID


async def make_scheduling(
    settings: Settings, tenant: Tenant, user_id: uuid.UUID, *, name: str = "Intro call"
) -> Scheduling:
    async with session_for(settings) as session:
        host = await UserRepository(session, tenant.company_id).get_or_404(user_id)
        availability = await add_availability(
            session,
            tenant.company_id,
            user_id,
            name="Working hours",
            timezone="Europe/Berlin",
            schedule=default_schedule(),
            is_default=True,
        )
        exception = ExceptionRepository(session, tenant.company_id).add(
            AvailabilityException(
                availability_id=availability.id,
                available=False,
                start=datetime(2030, 1, 7, 9, tzinfo=UTC),
                end=datetime(2030, 1, 7, 12, tzinfo=UTC),
                title="Dentist",
            )
        )
        meeting_type = await add_meeting_type(
            session,
            tenant.company_id,
            host,
            inline_meeting_type(name=name, duration=30),
            availability_id=availability.id,
        )
        await session.flush()
        return Scheduling(availability.id, exception.id, meeting_type.id)


def attendee_body(email: str = "ada@example.test", **extra: object) -> dict[str, object]:
    return {"email": email, "firstname": "Ada", "lastname": "Lovelace"} | extra


async def book(
    settings: Settings,
    tenant: Tenant,
    meeting_type_id: uuid.UUID,
    start: datetime,
    *,
    ignore_availability: bool = False,
    email: str = "ada@example.test",
) -> bs.BookingCreated | bs.ProvisionalBookingCreated:
    """Book through the booking service, as the company's platform key."""
    body = {
        "meetingTypeId": str(meeting_type_id),
        "start": start.isoformat(),
        "attendee": attendee_body(email),
        "ignoreAvailability": ignore_availability,
    }
    async with session_for(settings) as session:
        principal = owner_principal(tenant)
        service = BookingService(
            session, principal.company_id, settings.provisional_ttl_minutes, principal
        )
        return await service.create(msgspec.convert(body, bs.BookingCreate))


async def make_one_time_link(
    settings: Settings, tenant: Tenant, meeting_type_id: uuid.UUID
) -> OneTimeLinkCreated:
    """A one-time booking link to the meeting type, made as the links service makes them."""
    async with session_for(settings) as session:
        return await issue_link(
            session,
            tenant.company_id,
            meeting_type_id,
            created_by=None,
            expires_in_days=30,
            public_url=settings.public_url,
        )


async def insert_provisional(
    settings: Settings,
    tenant: Tenant,
    host_id: uuid.UUID,
    meeting_type_id: uuid.UUID,
    start: datetime,
    *,
    minutes: int = 30,
    expires_at: datetime | None = None,
) -> uuid.UUID:
    """A booking waiting for host confirmation, inserted directly (any meeting type)."""
    _, hashed = new_secret()
    async with session_for(settings) as session:
        appointment = Appointment(
            id=uuid.uuid4(),
            company_id=tenant.company_id,
            meeting_type_id=meeting_type_id,
            host_user_id=host_id,
            start_at=start,
            end_at=start + timedelta(minutes=minutes),
            status=AppointmentStatus.PENDING,
            buffer_before=0,
            buffer_after=0,
            total_spots=1,
            meeting_info={"name": "Provisional", "duration": minutes},
            secret_hash=hashed,
            booking_type=bs.HOST_CONFIRMATION,
            request={"meetingTypeId": str(meeting_type_id)},
            expires_at=expires_at or start,
            reschedule_count=0,
            ics_sequence=0,
        )
        session.add(appointment)
        await session.flush()
        session.add(
            Attendee(
                company_id=tenant.company_id,
                appointment_id=appointment.id,
                email="pending@example.test",
                firstname="Pen",
                lastname="Ding",
                receive_reminders=True,
                notes={},
                custom_field_values={},
            )
        )
        return appointment.id


#: when the matrix sides' own bookings are (far away from any slot a test asks for)
SIDE_BOOKING = datetime(2035, 1, 8, 9, tzinfo=UTC)


async def make_webhook(
    settings: Settings,
    tenant: Tenant,
    url: str = "https://hooks.example.test/slotwise",
    event_types: tuple[str, ...] = ("new_employee",),
    **values: object,
) -> WebhookEndpoint:
    """An endpoint inserted directly (no URL check), so tests can point it anywhere; a
    `secret` or `previous_secret` given in clear is sealed as the app does."""
    endpoint_id = uuid7()
    async with session_for(settings) as session:
        row = EndpointRepository(session, tenant.company_id).add(
            WebhookEndpoint(
                id=endpoint_id,
                url=url,
                event_types=list(event_types),
                headers={},
                timeout_seconds=5,
                max_retries=10,
                status=EndpointStatus.ACTIVE,
                secret=sealed_secrets.seal(settings.keyring(), endpoint_id, signing.new_secret()),
                success_count=0,
                failure_count=0,
            )
        )
        for name, value in values.items():
            if name in ("secret", "previous_secret") and isinstance(value, str):
                value = sealed_secrets.seal(settings.keyring(), endpoint_id, value)  # noqa: PLW2901
            setattr(row, name, value)
        await session.flush()
        await session.refresh(row)
        return row


async def make_calendar_connection(
    settings: Settings,
    tenant: Tenant,
    user_id: uuid.UUID,
    url: str = "https://calendar.example.test/secret.ics",
) -> uuid.UUID:
    """An ICS feed connection inserted directly (nothing fetched), with its one calendar."""
    connection_id = uuid7()
    async with session_for(settings) as session:
        ConnectionRepository(session, tenant.company_id).add(
            CalendarConnection(
                id=connection_id,
                user_id=user_id,
                provider=CalendarProvider.ICS,
                email="calendar.example.test",
                credentials=seal_login(settings.keyring(), connection_id, Login(url)),
                status=ConnectionStatus.CONNECTED,
                synced_at=datetime.now(UTC),
            )
        )
        await session.flush()
        CalendarRepository(session, tenant.company_id).add(
            Calendar(connection_id=connection_id, href="feed", name="ICS feed", read_only=True)
        )
    return connection_id


def webhook_secret(settings: Settings, row: WebhookEndpoint) -> str:
    """The endpoint's signing secret in clear (the row holds it sealed)."""
    return sealed_secrets.open_secret(settings.keyring(), row.id, row.secret)


async def make_delivery(
    settings: Settings,
    tenant: Tenant,
    event: EventType = EventType.NEW_EMPLOYEE,
    payload: dict[str, object] | None = None,
) -> list[uuid.UUID]:
    """Emit an event in a committed transaction; the ids of the deliveries it made."""
    async with session_for(settings) as session:
        deliveries = DeliveryRepository(session, tenant.company_id)
        before = {row.delivery.id for row in await deliveries.rows()}
        await emit(session, tenant.company_id, event, payload or {"userId": str(uuid.uuid4())})
        return [row.delivery.id for row in await deliveries.rows() if row.delivery.id not in before]


@dataclass(frozen=True)
class TeamIds:
    queue_id: uuid.UUID
    group_id: uuid.UUID


async def make_queue(
    settings: Settings, tenant: Tenant, owner: uuid.UUID, members: list[uuid.UUID]
) -> TeamIds:
    """A team meeting type of `owner` whose queue holds `members`, with one group of them."""
    async with session_for(settings) as session:
        host = await UserRepository(session, tenant.company_id).get_or_404(owner)
        availability = await add_availability(
            session,
            tenant.company_id,
            owner,
            name="Team hours",
            timezone="Europe/Berlin",
            schedule=default_schedule(),
            is_default=False,
        )
        meeting_type = await add_meeting_type(
            session,
            tenant.company_id,
            host,
            inline_meeting_type(name="Team call", duration=30),
            availability_id=availability.id,
        )
        queue = Queue(
            company_id=tenant.company_id,
            id=uuid7(),
            meeting_type_id=meeting_type.id,
            type="simpleRoundRobin",
            max_lead_threshold=None,
            distribution_period="month",
            prioritize_near_term=False,
        )
        session.add(queue)
        await session.flush()
        meeting_type.queue_id = queue.id
        meeting_type.calculation_method = "anyone"
        session.add_all(
            QueueMember(company_id=tenant.company_id, queue_id=queue.id, user_id=member)
            for member in members
        )
        group = QueueUserGroup(
            company_id=tenant.company_id,
            id=uuid7(),
            queue_id=queue.id,
            name="Pair",
            capacity=1,
            user_ids=list(members),
        )
        session.add(group)
        await session.flush()
        return TeamIds(queue.id, group.id)


@dataclass(frozen=True)
class Side:
    """One company with a member, an admin, an extra key and tokens, for matrix tests."""

    tenant: Tenant
    member_id: uuid.UUID
    admin_id: uuid.UUID
    extra_key: cs.ApiKeyCreated
    scheduling_pat: cs.PersonalAccessTokenCreated
    account_pat: cs.PersonalAccessTokenCreated
    admin_pat: cs.PersonalAccessTokenCreated
    member_scheduling: Scheduling
    #: a confirmed appointment and a provisional booking hosted by the member
    appointment_id: uuid.UUID
    provisional_booking_id: uuid.UUID
    #: a webhook endpoint (subscribed to new_employee) and one of its deliveries
    webhook_id: uuid.UUID
    delivery_id: uuid.UUID
    #: an ICS feed connected by the member
    connection_id: uuid.UUID
    #: an OAuth app of the company and the member's grant of it
    oauth_client_id: uuid.UUID
    oauth_grant_id: uuid.UUID
    #: a team meeting type of the admin, its queue holding the member, and a group
    team: TeamIds

    @property
    def ids(self) -> dict[str, str]:
        """Path parameter name → an id of this company's own resources."""
        return {
            "user_id": str(self.member_id),
            "key_id": str(self.extra_key.id),
            "token_id": str(self.scheduling_pat.id),
            "availability_id": str(self.member_scheduling.availability_id),
            "exception_id": str(self.member_scheduling.exception_id),
            "meeting_type_id": str(self.member_scheduling.meeting_type_id),
            "appointment_id": str(self.appointment_id),
            "provisional_booking_id": str(self.provisional_booking_id),
            "webhook_id": str(self.webhook_id),
            "delivery_id": str(self.delivery_id),
            "connection_id": str(self.connection_id),
            "oauth_client_id": str(self.oauth_client_id),
            "grant_id": str(self.oauth_grant_id),
            "queue_id": str(self.team.queue_id),
            "group_id": str(self.team.group_id),
            "workspace_id": str(self.tenant.company_id),
        }


async def make_side(settings: Settings, name: str) -> Side:
    tenant = await make_tenant(settings, name)
    member = await make_user(settings, tenant, given_name=f"{name}member")
    admin = await make_user(settings, tenant, role=Role.ADMIN, given_name=f"{name}admin")
    scheduling = await make_scheduling(settings, tenant, member)
    booked = await book(
        settings, tenant, scheduling.meeting_type_id, SIDE_BOOKING, ignore_availability=True
    )
    assert isinstance(booked, bs.BookingCreated)
    provisional = await insert_provisional(
        settings,
        tenant,
        member,
        scheduling.meeting_type_id,
        SIDE_BOOKING + timedelta(hours=2),
        expires_at=SIDE_BOOKING,
    )
    webhook = await make_webhook(settings, tenant)
    (delivery,) = await make_delivery(settings, tenant)
    oauth_client, oauth_grant, _ = await make_oauth_grant(settings, tenant, member)
    return Side(
        tenant=tenant,
        member_id=member,
        admin_id=admin,
        extra_key=await make_api_key(settings, tenant),
        scheduling_pat=await make_pat(settings, tenant, member, ("scheduling",)),
        account_pat=await make_pat(settings, tenant, member, ("account",)),
        admin_pat=await make_pat(settings, tenant, admin),
        member_scheduling=scheduling,
        appointment_id=booked.appointment_id,
        provisional_booking_id=provisional,
        webhook_id=webhook.id,
        delivery_id=delivery,
        connection_id=await make_calendar_connection(settings, tenant, member),
        oauth_client_id=oauth_client,
        oauth_grant_id=oauth_grant,
        team=await make_queue(settings, tenant, admin, [member]),
    )
