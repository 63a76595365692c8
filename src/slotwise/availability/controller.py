"""/v4/availability routes: the acting user's schedules, exceptions and public holidays."""

from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from slotwise.auth.access import access
from slotwise.availability import schemas as s
from slotwise.availability.service import AvailabilityService, provide_availability_service
from slotwise.web.idempotency import Idempotency, provide_idempotency


class AvailabilityController(Controller):
    path = "/v4/availability"
    tags = ["availability"]
    opt = access(pat_scope="scheduling")
    dependencies = {
        "availabilities": Provide(provide_availability_service),
        "idempotency": Provide(provide_idempotency),
    }

    @get("/")
    async def list_availabilities(
        self, availabilities: NamedDependency[AvailabilityService]
    ) -> list[s.Availability]:
        """List the acting user's availabilities with their exceptions."""
        return await availabilities.list_availabilities()

    @post("/", status_code=201)
    async def create_availability(
        self,
        data: JSONBody[s.AvailabilityCreate],
        availabilities: NamedDependency[AvailabilityService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.Availability]:
        """Create an availability (no schedule: every day off); a user's first is the default."""
        return await idempotency.run(lambda: availabilities.create(data), status_code=201)

    @get("/{availability_id:uuid}")
    async def get_availability(
        self,
        availability_id: FromPath[UUID],
        availabilities: NamedDependency[AvailabilityService],
    ) -> s.Availability:
        """Return one of the acting user's availabilities."""
        return await availabilities.get(availability_id)

    @patch("/{availability_id:uuid}")
    async def update_availability(
        self,
        availability_id: FromPath[UUID],
        data: JSONBody[s.AvailabilityUpdate],
        availabilities: NamedDependency[AvailabilityService],
    ) -> s.Availability:
        """Change name, time zone or default flag; a schedule replaces the whole week."""
        return await availabilities.update(availability_id, data)

    @delete("/{availability_id:uuid}")
    async def delete_availability(
        self,
        availability_id: FromPath[UUID],
        availabilities: NamedDependency[AvailabilityService],
    ) -> None:
        """Delete an availability no meeting type uses (409 otherwise); the last one stays (400)."""
        await availabilities.delete(availability_id)

    @post("/{availability_id:uuid}/exception", status_code=201)
    async def create_availability_exception(
        self,
        availability_id: FromPath[UUID],
        data: JSONBody[s.ExceptionCreate],
        availabilities: NamedDependency[AvailabilityService],
        idempotency: NamedDependency[Idempotency],
    ) -> Response[s.AvailabilityException]:
        """Block time (available: false) or open extra time (available: true) on given dates."""
        return await idempotency.run(
            lambda: availabilities.add_exception(availability_id, data), status_code=201
        )

    @delete("/{availability_id:uuid}/exception/{exception_id:uuid}")
    async def delete_availability_exception(
        self,
        availability_id: FromPath[UUID],
        exception_id: FromPath[UUID],
        availabilities: NamedDependency[AvailabilityService],
    ) -> None:
        """Remove one exception of an availability."""
        await availabilities.delete_exception(availability_id, exception_id)

    @patch("/{availability_id:uuid}/holiday-exceptions")
    async def import_holiday_exceptions(
        self,
        availability_id: FromPath[UUID],
        data: JSONBody[s.HolidayImport],
        availabilities: NamedDependency[AvailabilityService],
    ) -> list[s.AvailabilityException]:
        """Block a year's public holidays of a country (and subdivision); safe to repeat."""
        return await availabilities.import_holidays(availability_id, data)
