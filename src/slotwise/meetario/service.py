"""The Meetario dialect's use cases, each a call into the /v4 services (one booking engine,
one store) and a mapping of its answer; field names in errors are the sheet's."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.availability import schemas as avs
from slotwise.availability.formats import DAY_NAMES
from slotwise.availability.repository import MeetingTypeUseRepository
from slotwise.availability.service import AvailabilityService
from slotwise.bookings import meetario_event as ev
from slotwise.bookings import schemas as bs
from slotwise.bookings.services.appointment import AppointmentQuery, AppointmentService
from slotwise.bookings.services.booking import BookingService
from slotwise.kit import fields
from slotwise.kit.errors import NotFound, ValidationFailed
from slotwise.kit.polling import NO_POLL, Poll
from slotwise.kit.wire import sent_fields
from slotwise.meetario import schemas as s
from slotwise.meetario import views
from slotwise.meetario.conversion import converted, renamed
from slotwise.meetario.repository import (
    EventNumbers,
    EventTypeFacts,
    EventTypeNumbers,
    Schedules,
    UserNumbers,
)
from slotwise.meeting_types import schemas as ms
from slotwise.meeting_types.service import MeetingTypeService
from slotwise.settings import Settings
from slotwise.slots.engine import slots_until
from slotwise.slots.params import window
from slotwise.slots.service import SlotService
from slotwise.users import inputs as ui
from slotwise.users.service import UserService

#: /v4 field names → the sheet's, for errors raised by the services underneath
_EVENT_FIELDS = {
    "meetingTypeId": "event_type_id",
    "start": "start_time",
    "attendee.email": "attendee_email",
    "attendee.fullname": "attendee_name",
    "attendee.phone": "attendee_phone",
    "attendee.timezone": "timezone",
    "customFieldValues": "custom_field_values",
}
#: the sheet's profile fields → /v4's UserUpdate (wire names)
_USER_FIELDS = {
    "first_name": "givenName",
    "last_name": "familyName",
    "timezone": "timezone",
    "position": "title",
    "company": "company",
    "date_format": "dateFormat",
    "time_format": "timeFormat",
}
_USER_NAMES = {wire: name for name, wire in _USER_FIELDS.items()}
#: the name of an availability made for a user who had none
_NEW_AVAILABILITY = "Working hours"


#: /v4 meeting type field names → the sheet's event type fields
_EVENT_TYPE_FIELDS = {
    "meetingInfo.name": "name",
    "meetingInfo.duration": "duration",
    "meetingInfo.description": "description",
    "meetingInfo.color": "color",
    "meetingInfo.channel": "location",
    "meetingInfo.bufferBefore": "buffer_time_before",
    "meetingInfo.bufferAfter": "buffer_time_after",
    "meetingOptions.requireHostConfirmation": "requires_approval",
    "bookingMinimum": "min_advance_booking",
    "daysIntoFuture.bookingLimit": "max_advance_booking",
    "daysIntoFuture": "max_advance_booking",
    "locations": "location",
    "enabled": "is_active",
    "availability.name": "name",
    "availability.timezone": "timezone",
    "availability.schedule": "available_days",
    "schedule": "available_days",
}

#: the sheet's locations: the /v4 channel each stands for and how the location reads; a
#: `custom` place the host describes later is met in person, as far as /v4 knows
_LOCATIONS: dict[str, tuple[str, str]] = {
    "zoom_meeting": ("zoom", "Zoom Call"),
    "google_meet": ("google", "Google Meet"),
    "phone_call": ("phone", "Phone Call"),
    "in_person": ("local", "In Person"),
    "custom": ("local", "Custom"),
}
#: the channel of a type created without a location (the short form of /v4 does the same)
_NO_LOCATION = "phone"
_WORKDAYS: list[s.Weekday] = ["monday", "tuesday", "wednesday", "thursday", "friday"]
_HOURS = [{"start": "09:00", "end": "17:00"}]
_HOUR = 60
_DAY = 1440


def _booking(meeting_type_id: uuid.UUID, data: s.V1EventCreate) -> bs.BookingCreate:
    """The /v4 booking the event stands for, checked by its own rules (email, phone, zone)."""
    attendee: dict[str, Any] = {
        "email": data.attendee_email,
        "fullname": data.attendee_name,
        "phone": data.attendee_phone,
        "timezone": data.timezone,
        "notes": {"notes": data.notes} if data.notes else {},
    }
    body = {
        "meetingTypeId": meeting_type_id,
        "start": data.start_time,
        "attendee": {k: v for k, v in attendee.items() if v is not None},
        "customFieldValues": data.custom_field_values,
    }
    return converted(body, bs.BookingCreate, _EVENT_FIELDS)


def _week(days: list[s.Weekday]) -> dict[str, Any]:
    """The sheet's `available_days` as a weekly schedule: 09:00-17:00 on each of them."""
    return {day: {"enabled": True, "hours": _HOURS} for day in days}


def _location(location: str) -> tuple[str, list[dict[str, Any]]]:
    channel, display = _LOCATIONS[location]
    return channel, [{"type": location, "display": display}]


def _meeting_type_create(data: s.V1EventTypeCreate) -> ms.MeetingTypeCreate:
    """The /v4 meeting type an event type stands for; `timezone` or `available_days` make it
    its own availability, otherwise it books against the user's default one."""
    channel, locations = _NO_LOCATION, None
    if data.location is not None:
        channel, locations = _location(data.location)
    info = {
        "name": data.name,
        "duration": data.duration,
        "description": data.description,
        "channel": channel,
        "bufferBefore": data.buffer_time_before,
        "bufferAfter": data.buffer_time_after,
    }
    body: dict[str, Any] = {
        "meetingInfo": info,
        "color": data.color,
        "locations": locations,
        "meetingOptions": {"requireHostConfirmation": data.requires_approval},
        "price": data.price,
        "currency": data.currency,
        "slug": data.slug,
    }
    if data.min_advance_booking is not None:
        body["bookingMinimum"] = data.min_advance_booking * _HOUR
    if data.max_advance_booking is not None:
        body["daysIntoFuture"] = {"mode": "limit", "bookingLimit": data.max_advance_booking * _DAY}
    if data.timezone is not None or data.available_days is not None:
        body["availability"] = {
            "name": data.name,
            "timezone": data.timezone or "UTC",
            "schedule": _week(data.available_days or _WORKDAYS),
        }
    return converted(body, ms.MeetingTypeCreate, _EVENT_TYPE_FIELDS)


def _meeting_type_update(
    data: s.V1EventTypeUpdate, availability_id: uuid.UUID | None
) -> ms.MeetingTypeUpdate:
    """The /v4 change: only what the client sent (and the type's new availability, if any)."""
    sent = {f: v for f in data.__struct_fields__ if (v := getattr(data, f)) is not s.UNSET}
    info_names = {
        "name": "name",
        "duration": "duration",
        "description": "description",
        "buffer_time_before": "bufferBefore",
        "buffer_time_after": "bufferAfter",
    }
    info = {wire: sent[name] for name, wire in info_names.items() if name in sent}
    body: dict[str, Any] = {
        wire: sent[name]
        for name, wire in (
            ("color", "color"),
            ("price", "price"),
            ("currency", "currency"),
            ("slug", "slug"),
            ("is_active", "enabled"),
        )
        if name in sent
    }
    if "location" in sent:
        info["channel"], body["locations"] = _location(sent["location"])
    if info:
        body["meetingInfo"] = info
    if "requires_approval" in sent:
        body["meetingOptions"] = {"requireHostConfirmation": sent["requires_approval"]}
    if "min_advance_booking" in sent:
        body["bookingMinimum"] = sent["min_advance_booking"] * _HOUR
    if "max_advance_booking" in sent:
        limit = sent["max_advance_booking"] * _DAY
        body["daysIntoFuture"] = {"mode": "limit", "bookingLimit": limit}
    if availability_id is not None:
        body["availabilityId"] = availability_id
    return converted(body, ms.MeetingTypeUpdate, _EVENT_TYPE_FIELDS)


def _schedule_field(path: str) -> str:
    """/v4's `schedule.3.end` is the request's `availability.3.end`."""
    head, dot, rest = path.partition(".")
    return f"availability{dot}{rest}" if head == "schedule" else path


@dataclass(frozen=True)
class EventFilter:
    page: int = 1
    limit: int = 20
    status: ev.EventStatus | None = None
    event_type: str | None = None
    poll: Poll = NO_POLL


#: /v4's names of the polling parameters -> the sheet's
_POLL_FIELDS = {"updatedSince": "updated_since", "cursor": "cursor"}


class MeetarioService:
    def __init__(self, session: AsyncSession, principal: Principal, settings: Settings) -> None:
        company = principal.company_id
        self.principal = principal
        self.event_numbers = EventNumbers(session, company)
        self.type_numbers = EventTypeNumbers(session, company)
        self.user_numbers = UserNumbers(session, company)
        self.type_facts = EventTypeFacts(session, company)
        self.schedules = Schedules(session, company)
        self.meeting_types = MeetingTypeService(session, principal, settings)
        self.availabilities = AvailabilityService(session, principal, settings)
        self.schedule_uses = MeetingTypeUseRepository(session, company)
        self.appointments = AppointmentService(session, principal)
        self.bookings = BookingService(
            session, company, settings.provisional_ttl_minutes, principal
        )
        self.users = UserService(session, principal)
        self.availabilities = AvailabilityService(session, principal, settings)
        self.slots = SlotService(session, company)

    # users

    async def me(self) -> s.V1UserData:
        row = await self.users.me()
        return s.V1UserData(data=views.user(row, await self.user_numbers.number(row.id)))

    async def update_me(self, data: s.V1UserUpdate) -> s.V1UserData:
        """The sent fields, as /v4's profile update (its rules, its names turned into ours)."""
        body = {_USER_FIELDS[name]: value for name, value in sent_fields(data).items()}
        update = converted(body, ui.UserUpdate, lambda path: _USER_NAMES.get(path, path))
        try:
            row = await self.users.update(self.principal.user_id, update)
        except ValidationFailed as exc:
            raise renamed(exc, _USER_NAMES) from None
        return s.V1UserData(data=views.user(row, await self.user_numbers.number(row.id)))

    async def _default_availability(self) -> avs.Availability | None:
        found = await self.availabilities.list_availabilities()
        return next((row for row in found if row.is_default), None)

    async def weekly_availability(self) -> s.V1WeeklyAvailabilityData:
        found = await self._default_availability()
        zone = found.timezone if found is not None else (await self.users.me()).timezone
        return views.weekly(found, zone)

    async def replace_availability(
        self, data: s.V1WeeklyAvailabilityReplace
    ) -> s.V1WeeklyAvailabilityData:
        """The week becomes the default availability's schedule (one range per enabled day)
        through /v4's update, so its checks, slot caches and versions apply; a user without
        one gets a new default availability, named "Working hours"."""
        week: dict[str, Any] = {}
        for number, name in enumerate(DAY_NAMES, start=1):
            day = getattr(data.availability, name)
            if day is not msgspec.UNSET:
                week[str(number)] = sent_fields(day)
        found = await self._default_availability()
        zone = sent_fields(data).get("timezone")
        try:
            if found is None:
                zone = zone or (await self.users.me()).timezone
                body = {"name": _NEW_AVAILABILITY, "timezone": zone, "schedule": week}
                await self.availabilities.create(
                    converted(body, avs.AvailabilityCreate, _schedule_field)
                )
            else:
                changes = {"schedule": week} | ({"timezone": zone} if zone else {})
                await self.availabilities.update(
                    found.id, converted(changes, avs.AvailabilityUpdate, _schedule_field)
                )
        except ValidationFailed as exc:
            raise renamed(exc, _schedule_field) from None
        return await self.weekly_availability()

    # event types

    async def _event_types(self, found: list[ms.MeetingType]) -> list[s.V1EventType]:
        numbers = await self.type_numbers.numbers(t.id for t in found)
        schedules = await self.schedules.of(t.availability_id for t in found)
        slug = (await self.users.me()).slug
        return [
            views.event_type(t, numbers[t.id], schedules.get(t.availability_id), slug)
            for t in found
        ]

    async def event_types(
        self, page: int, limit: int, active: bool | None, poll: Poll = NO_POLL
    ) -> s.V1EventTypeList:
        if poll.sort_by is not None or poll.since is not None or poll.cursor is not None:
            return await self._polled_event_types(page, limit, poll)
        found, _, _ = await self.meeting_types.list_meeting_types()
        if active is not None:
            found = [t for t in found if t.enabled is active]
        chosen = found[(page - 1) * limit : page * limit]
        return s.V1EventTypeList(
            data=await self._event_types(chosen),
            pagination=views.pagination(page, limit, len(found)),
        )

    async def _polled_event_types(self, page: int, limit: int, poll: Poll) -> s.V1EventTypeList:
        """Oldest change first, past the cursor (`active` is not applied: a poller wants every
        change, enabling and disabling too)."""
        try:
            found, total, cursor = await self.meeting_types.list_meeting_types(
                page - 1, limit, poll
            )
        except ValidationFailed as exc:
            raise renamed(exc, _POLL_FIELDS) from None
        return s.V1EventTypeList(
            data=await self._event_types(found),
            pagination=views.pagination(page, limit, total),
            next_cursor=cursor,
        )

    async def event_type(self, ref: str) -> s.V1EventTypeData:
        found = await self.meeting_types.get(await self.type_numbers.resolve(ref))
        (view,) = await self._event_types([found])
        return s.V1EventTypeData(data=view)

    async def create_event_type(self, data: s.V1EventTypeCreate) -> s.V1EventTypeData:
        create = _meeting_type_create(data)
        try:
            created = await self.meeting_types.create(create)
        except ValidationFailed as exc:
            raise renamed(exc, _EVENT_TYPE_FIELDS) from None
        (view,) = await self._event_types([created])
        return s.V1EventTypeData(data=view)

    async def update_event_type(self, ref: str, data: s.V1EventTypeUpdate) -> s.V1EventTypeData:
        meeting_type_id = await self.type_numbers.resolve(ref)
        _meeting_type_update(data, None)  # the body's own rules first, before any schedule
        current = await self.meeting_types.get(meeting_type_id)
        try:
            availability_id = await self._own_schedule(current, data)
            updated = await self.meeting_types.update(
                meeting_type_id, _meeting_type_update(data, availability_id)
            )
        except ValidationFailed as exc:
            raise renamed(exc, _EVENT_TYPE_FIELDS) from None
        (view,) = await self._event_types([updated])
        return s.V1EventTypeData(data=view)

    async def _own_schedule(
        self, meeting_type: ms.MeetingType, data: s.V1EventTypeUpdate
    ) -> uuid.UUID:
        """Apply `timezone` and `available_days` to the type's availability when no other type
        uses it and it is not the user's default; otherwise give the type a new one, so the
        change never reaches another type. The availability the type is to use: naming it in
        every change marks the type's row changed, for the audit entry."""
        availability_id = meeting_type.availability_id
        if data.timezone is s.UNSET and data.available_days is s.UNSET:
            return availability_id
        current = (await self.schedules.of([availability_id]))[availability_id]
        zone = current.timezone if isinstance(data.timezone, msgspec.UnsetType) else data.timezone
        schedule: Any = current.schedule
        if not isinstance(data.available_days, msgspec.UnsetType):
            schedule = _week(data.available_days)
        shared = current.is_default or await self.schedule_uses.using(
            availability_id, besides=meeting_type.id
        )
        if not shared:
            change = avs.AvailabilityUpdate(timezone=zone, schedule=schedule)
            await self.availabilities.update(availability_id, change)
            return availability_id
        name = meeting_type.meeting_info.name
        if isinstance(data.name, str):
            name = data.name
        new = avs.AvailabilityCreate(name=name, timezone=zone, schedule=schedule)
        return (await self.availabilities.create(new)).id

    async def delete_event_type(self, ref: str) -> s.V1Message:
        """Soft delete, as /v4 does: its events keep naming it."""
        meeting_type_id = await self.type_numbers.resolve(ref)
        await self.meeting_types.delete(meeting_type_id, delete_availability=False)
        return s.V1Message(message="Event type deleted successfully")

    async def availability(self, ref: str, start: date, end: date | None) -> s.V1Availability:
        """The bookable slots of the event type's days `[start, end]` (end defaults to start),
        grouped by day in the event type's zone, from the same engine as /v4."""
        meeting_type_id = await self.type_numbers.resolve(ref)
        errors = fields.day(start, "start_date") + (fields.day(end, "end_date") if end else [])
        if errors:
            raise ValidationFailed(errors=errors)
        rules = await self.slots.rules(meeting_type_id)
        zone = rules.availability.timezone
        try:
            first, after = window(start, end or start, zone)
        except ValidationFailed as exc:
            raise renamed(exc, {"end": "end_date", "start": "start_date"}) from None
        now = datetime.now(UTC)
        busy = await self.slots.busy(rules, first, after, now)
        found, _ = slots_until(rules.query(first, after, rules.meeting_type.duration), busy, now)
        days: dict[str, list[s.V1SlotView]] = defaultdict(list)
        local = ZoneInfo(zone)
        for slot in found:
            day = slot.start.astimezone(local).date().isoformat()
            days[day].append(
                s.V1SlotView(
                    start_time=ev.whole_seconds(slot.start.astimezone(UTC)),
                    end_time=ev.whole_seconds(slot.end.astimezone(UTC)),
                    available=True,
                )
            )
        return views.day_slots(dict(days))

    # events

    async def _events(self, found: list[bs.Appointment]) -> list[ev.V1Event]:
        numbers = await self.event_numbers.numbers(a.id for a in found)
        types = await self.type_facts.of(a.meeting_type_id for a in found)
        now = datetime.now(UTC)
        return [ev.event(a, numbers[a.id], types[a.meeting_type_id], now) for a in found]

    async def events(self, query: EventFilter) -> s.V1EventList:
        now = datetime.now(UTC)
        status: bs.StatusName | None = None
        start = ended_by = None
        match query.status:
            case "completed":
                status, ended_by = "confirmed", now
            case "confirmed":
                status, start = "confirmed", now.isoformat()
            case "pending" | "cancelled":
                status = query.status
        type_id = None
        if query.event_type is not None:
            type_id = await self.type_numbers.resolve(query.event_type)
        poll = query.poll
        try:
            found = await self.appointments.page(
                AppointmentQuery(
                    page=query.page - 1,
                    page_size=query.limit,
                    status=status,
                    start=start,
                    ended_by=ended_by,
                    meeting_type_id=type_id,
                    sort_by="updatedAt" if poll.sort_by else "appointment.start",
                    updated_since=poll.since,
                    cursor=poll.cursor,
                )
            )
        except ValidationFailed as exc:
            raise renamed(exc, _POLL_FIELDS) from None
        return s.V1EventList(
            data=await self._events(found.appointments),
            pagination=views.pagination(query.page, query.limit, found.total),
            next_cursor=found.next_cursor,
        )

    async def event(self, ref: str) -> s.V1EventData:
        found = await self.appointments.get(await self.event_numbers.resolve(ref))
        (view,) = await self._events([found])
        return s.V1EventData(data=view)

    async def create_event(self, data: s.V1EventCreate) -> s.V1EventData:
        meeting_type_id = await self._event_type_of(data.event_type_id)
        booking = _booking(meeting_type_id, data)
        try:
            created = await self.bookings.create(booking)
        except ValidationFailed as exc:
            raise renamed(exc, _EVENT_FIELDS) from None
        appointment_id = (
            created.appointment_id
            if isinstance(created, bs.BookingCreated)
            else created.provisional_booking_id
        )
        (view,) = await self._events([await self.appointments.get(appointment_id)])
        return s.V1EventData(data=view)

    async def cancel_event(self, ref: str, data: s.V1EventCancel) -> s.V1EventData:
        """Cancel for everyone (a group's attendees too): the sheet has no per-attendee cancel."""
        appointment_id = await self.event_numbers.resolve(ref)
        cancel = bs.CancelAppointment(reason=data.reason, cancel_all=True)
        (view,) = await self._events([await self.appointments.cancel(appointment_id, cancel)])
        return s.V1EventData(data=view)

    async def reschedule_event(self, ref: str, data: s.V1EventReschedule) -> s.V1EventData:
        """Move to another listed slot; a start outside the years served is a 422 naming
        `start_time`, a slot taken meanwhile a 409."""
        appointment_id = await self.event_numbers.resolve(ref)
        move = bs.RescheduleAppointment(start=data.start_time)
        try:
            moved = await self.appointments.reschedule(appointment_id, move)
        except ValidationFailed as exc:
            raise renamed(exc, _EVENT_FIELDS) from None
        (view,) = await self._events([moved.appointment])
        return s.V1EventData(data=view)

    async def _event_type_of(self, ref: int | str) -> uuid.UUID:
        try:
            return await self.type_numbers.resolve(str(ref))
        except NotFound:
            raise ValidationFailed.field("event_type_id", "Event type not found") from None


async def provide_meetario_service(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    settings: NamedDependency[Settings],
) -> MeetarioService:
    return MeetarioService(db, principal, settings)
