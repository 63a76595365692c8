"""A client generated from the committed openapi/openapi.json (openapi-python-client) drives a
whole flow against the running app: provision a user (as JSON and as a multipart form), read
slots, book, reschedule, cancel, read the webhook deliveries. A change to the document that
breaks generated clients fails here."""

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.factories import Tenant

DOCUMENT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"
PACKAGE = "slotwise_generated_client"
#: enums as literals: meetergo's sortDirection takes both asc and ASC, which a class can't
CONFIG = "literal_enums: true\n"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("generated")
    config = root / "config.yml"
    config.write_text(CONFIG + f"package_name_override: {PACKAGE}\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(DOCUMENT),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(root / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout, done.stdout
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))


def call(module: str, *args: Any, **kwargs: Any) -> Any:
    """`sync_detailed` of a generated operation; the parsed answer of a 2xx."""
    operation = importlib.import_module(f"{PACKAGE}.api.{module}")
    response = operation.sync_detailed(*args, **kwargs)
    assert 200 <= response.status_code < 300, (module, response.status_code, response.content)
    return response.parsed


def test_a_generated_client_books_moves_and_cancels(
    generated: ModuleType, live_app: tuple[str, Tenant]
) -> None:
    base_url, tenant = live_app
    models = importlib.import_module(f"{PACKAGE}.models")
    with generated.AuthenticatedClient(base_url=base_url, token=tenant.api_key) as client:
        flow(client, models)


def flow(client: Any, models: ModuleType) -> None:
    webhook = call(
        "webhooks.create_webhook",
        client=client,
        body=models.WebhookCreate(
            endpoint="https://hooks.invalid/slotwise", event_types=["booking_created"]
        ),
    )
    user = call(
        "users.create_user",
        client=client,
        body=models.UserCreate(
            email="gen@client.test",
            given_name="Gene",
            family_name="Rated",
            timezone="Europe/Berlin",
        ),
    )
    acting = str(user.user_id)
    by_form = call(
        "users.create_user",
        client=client,
        body=models.CreateUserFilesBody(
            email="form@client.test",
            given_name="Form",
            family_name="Sent",
            timezone="Europe/Berlin",
            meeting_type=json.dumps({"name": "Form Call", "duration": 20}),
        ),
    )
    assert by_form.booking_url.endswith("/form-sent/form-call")
    (meeting_type,) = call(
        "meeting_types.list_meeting_types", client=client, x_meetergo_api_user_id=acting
    )
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    monday = today + timedelta(days=(7 - today.weekday()) % 7 + 7)
    slots = call(
        "booking_availability.get_booking_availability",
        client=client,
        meeting_type_id=str(meeting_type.id),
        start=monday.isoformat(),
        end=monday.isoformat(),
        timezone="Europe/Berlin",
        x_meetergo_api_user_id=acting,
    )
    first, later = slots.dates[0].spots[0].start_time, slots.dates[0].spots[4].start_time
    booked = call(
        "bookings.create_booking",
        client=client,
        body=models.BookingCreate(
            meeting_type_id=meeting_type.id,
            start=datetime.fromisoformat(str(first)),
            attendee=models.AttendeeInput(email="ada@example.test", fullname="Ada Lovelace"),
        ),
        x_meetergo_api_user_id=acting,
    )
    appointment_id = booked.appointment_id
    moved = call(
        "appointments.reschedule_appointment",
        appointment_id,
        client=client,
        body=models.RescheduleAppointment(start=datetime.fromisoformat(str(later))),
        x_meetergo_api_user_id=acting,
    )
    assert moved is not None
    cancelled = call(
        "appointments.cancel_appointment",
        appointment_id,
        client=client,
        body=models.CancelAppointment(reason="Generated"),
        x_meetergo_api_user_id=acting,
    )
    assert cancelled.status == "cancelled"
    shown = call(
        "appointments.get_appointment", appointment_id, client=client, x_meetergo_api_user_id=acting
    )
    assert shown.start == datetime.fromisoformat(str(later))
    deliveries = call("webhooks.list_webhook_deliveries", webhook.id, client=client)
    assert len(deliveries.deliveries) == 1
