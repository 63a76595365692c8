"""Request examples the document shows for the calls a partner makes first.

Each is a real payload: tests/web/test_examples.py sends every one to the app and expects it to
succeed (ids and times it cannot know in advance are the only parts it swaps in).
"""

from typing import Any

#: an id the example stands for; the test puts a real one in its place
MEETING_TYPE_ID = "01930f6e-9b1a-7c3e-8d45-2f6a7b8c9d0e"
#: a start the example stands for; the test puts a free slot in its place
START = "2030-01-07T10:00:00+01:00"

REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "createUser": {
        "email": "john.smith@acme.example",
        "givenName": "John",
        "familyName": "Smith",
        "timezone": "Europe/Berlin",
        "availability": {
            "name": "Clinic hours",
            "timezone": "Europe/Berlin",
            "schedule": {
                "monday": {"enabled": True, "hours": [{"start": "09:00", "end": "17:00"}]},
                "wednesday": {"enabled": True, "hours": [{"start": "09:00", "end": "13:00"}]},
            },
        },
        "meetingType": {"name": "Consultation", "duration": 45, "channel": "google_meet"},
    },
    "createAvailability": {
        "name": "Weekdays",
        "timezone": "Europe/London",
        "schedule": [
            {"dayOfWeek": "tuesday", "intervals": [{"from": "08:00", "to": "12:00"}]},
            {"dayOfWeek": "thursday", "intervals": [{"from": "13:00", "to": "18:00"}]},
        ],
    },
    "createMeetingType": {
        "meetingInfo": {
            "name": "Intro call",
            "description": "A first talk about your project",
            "duration": 30,
            "channel": "zoom",
            "bufferAfter": 10,
        },
        "slug": "intro-call",
        "timeslotInterval": 15,
        "bookingMinimum": 120,
        "meetingOptions": {"requireHostConfirmation": False},
        "metadata": {"crmPipeline": "inbound"},
    },
    "createBooking": {
        "meetingTypeId": MEETING_TYPE_ID,
        "start": START,
        "attendee": {
            "email": "maria.garcia@example.com",
            "firstname": "Maria",
            "lastname": "Garcia",
            "timezone": "Europe/Madrid",
            "language": "es",
            "notes": {"topic": "Pricing"},
            "dataPolicyAccepted": True,
        },
    },
    "createWebhook": {
        "endpoint": "https://hooks.partner.example/slotwise",
        "eventTypes": ["booking_created", "booking_cancelled", "booking_rescheduled"],
        "description": "CRM sync",
    },
    "createApiKey": {"name": "CRM sync", "expiresInDays": 90},
    "createPersonalAccessToken": {"name": "Zapier", "scopes": ["scheduling"]},
}


def add_request_examples(operations: dict[str, dict[str, Any]]) -> None:
    for operation_id, example in REQUEST_EXAMPLES.items():
        body = operations[operation_id]["requestBody"]["content"]["application/json"]
        body["examples"] = {"example": {"value": example}}
