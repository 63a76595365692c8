"""What a booking page may show about a host and a meeting type (nothing internal)."""

import uuid

from slotwise.kit.wire import WireStruct


class BookingPage(WireStruct):
    user_id: uuid.UUID
    meeting_type_id: uuid.UUID
    host_name: str
    name: str
    description: str
    duration: int
    timezone: str
    booking_url: str
