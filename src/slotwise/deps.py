"""Shared request dependencies: the settings and the caller's principal."""

from typing import Any

from litestar import Request
from litestar.datastructures import State

from slotwise.principal import Principal
from slotwise.settings import Settings


async def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = request.user
    if not isinstance(principal, Principal):  # pragma: no cover - auth middleware guarantees it
        raise TypeError("route is not authenticated")
    return principal
