"""A team: the member of `side_a` owns a meeting type whose queue holds them and two
colleagues, each with their own availability (Mon-Fri 09:00-17:00 Berlin)."""

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from slotwise.settings import Settings
from tests.support.bookings import make_type
from tests.support.factories import Side, make_user


@dataclass(frozen=True)
class Team:
    side: Side
    meeting_type: dict[str, Any]
    queue_id: str
    #: the owner first, then the two colleagues
    hosts: tuple[uuid.UUID, ...]
    #: each colleague's own single-host meeting type
    own_types: dict[uuid.UUID, dict[str, Any]]

    @property
    def id(self) -> str:
        return str(self.meeting_type["id"])


async def patch_queue(
    client: AsyncTestClient[Litestar], team: Team | Side, meeting_type_id: str, **body: Any
) -> dict[str, Any]:
    side = team.side if isinstance(team, Team) else team
    response = await client.patch(
        f"/v4/queue/meeting-type/{meeting_type_id}", json=body, headers=side.tenant.headers()
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def make_team(
    client: AsyncTestClient[Litestar], settings: Settings, side: Side, **settings_: Any
) -> Team:
    meeting_type = await make_type(client, side)
    colleagues = [await make_user(settings, side.tenant, given_name=n) for n in ("Bo", "Cy")]
    own = {user: await make_type(client, side, user_id=user) for user in colleagues}
    hosts = (side.member_id, *colleagues)
    queue: dict[str, Any] = {}
    for host in hosts:
        queue = await patch_queue(client, side, meeting_type["id"], userId=str(host))
    if settings_:
        queue = await patch_queue(client, side, meeting_type["id"], **settings_)
    return Team(side, meeting_type, queue["id"], hosts, own)


@pytest.fixture
async def team(client: AsyncTestClient[Litestar], settings: Settings, side_a: Side) -> Team:
    return await make_team(client, settings, side_a)
