"""Shared request dependencies: the settings and the caller's principal."""

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.principal import Principal
from slotwise.settings import Settings


async def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


async def provide_principal(
    request: Request[Any, Any, Any], db: NamedDependency[AsyncSession]
) -> Principal:
    """The authenticated caller.

    It takes `db` (which authentication already opened) only to be resolved after it: Litestar
    resolves independent dependencies concurrently in a task group, and on these short requests
    that costs more than resolving the two in turn.
    """
    principal = request.user
    if not isinstance(principal, Principal):  # pragma: no cover - auth middleware guarantees it
        raise TypeError("route is not authenticated")
    return principal
