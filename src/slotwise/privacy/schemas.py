"""Wire shapes of the data-rights routes."""

from slotwise.availability import schemas as availability
from slotwise.bookings import schemas as bookings
from slotwise.credentials import schemas as credentials
from slotwise.kit.wire import Email, InputStruct, WireStruct
from slotwise.meeting_types import schemas as meeting_types
from slotwise.users import schemas as users


class UserExport(WireStruct):
    """Everything stored about one user; credentials by their metadata only."""

    profile: users.User
    personal_page: users.PersonalPage
    availabilities: list[availability.Availability]
    meeting_types: list[meeting_types.MeetingType]
    #: the appointments the user hosts, with their attendees
    appointments: list[bookings.Appointment]
    personal_access_tokens: list[credentials.PersonalAccessToken]
    #: the platform keys the user created
    api_keys: list[credentials.ApiKey]
    #: the mails about the appointments the user hosts
    notifications: list[bookings.NotificationView]


class AttendeeErasure(InputStruct):
    email: Email


class AttendeeErased(WireStruct):
    erased_appointments: int
