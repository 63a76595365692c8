"""Shared request dependencies: the caller's principal."""

from typing import Any

from litestar import Request

from slotwise.principal import Principal


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = request.user
    if not isinstance(principal, Principal):  # pragma: no cover - auth middleware guarantees it
        raise TypeError("route is not authenticated")
    return principal
