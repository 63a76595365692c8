"""Each route's access rules, and the authenticated caller as a dependency.

Handlers state who may call them with `opt=access(...)`; the authentication middleware reads
the rules back with `access_of`. One typed object under one key, so a misspelt rule is a type
error instead of a silently open route.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.auth.scopes import ScopeName

ACCESS_OPT = "access"


@dataclass(frozen=True, slots=True)
class Access:
    """Who may call a route.

    - `company`: a platform key may omit `x-meetergo-api-user-id` and acts as the owner;
      otherwise the header is required for platform keys (400 with meetergo's message).
    - `pat_scope`: the scope a personal access token needs (403 naming it when missing);
      `auth.scopes.grants` decides which held scopes grant it.
    - `pat=False`: personal access tokens are refused (403).
    - `admin`: the acting context must be admin or owner (platform keys always are).
    """

    company: bool = False
    pat_scope: ScopeName | None = None
    pat: bool = True
    admin: bool = False


DEFAULT_ACCESS = Access()


def access(
    *,
    company: bool = False,
    pat_scope: ScopeName | None = None,
    pat: bool = True,
    admin: bool = False,
) -> dict[str, Any]:
    """Route `opt` describing who may call the route."""
    return {ACCESS_OPT: Access(company, pat_scope, pat, admin)}


def access_of(opt: Mapping[str, Any]) -> Access:
    """The rules a route declared; routes that declare none get the defaults."""
    found = opt.get(ACCESS_OPT, DEFAULT_ACCESS)
    if not isinstance(found, Access):  # pragma: no cover - only `access()` writes the key
        raise TypeError(f"route opt {ACCESS_OPT!r} must be an Access")
    return found


ActingUserHeader = Annotated[
    str | None,
    HeaderParameter(
        name="x-meetergo-api-user-id",
        required=False,
        description=(
            "The user a platform key acts for (a user id of its company). Required with a"
            " platform key on routes about a user; optional where the company is meant (the key"
            " then acts as the owner). A personal access token may only name its own user."
        ),
    ),
]


async def provide_principal(
    request: Request[Any, Any, Any],
    db: NamedDependency[AsyncSession],
    acting_user: ActingUserHeader = None,
) -> Principal:
    """The authenticated caller (`acting_user` is declared so the document lists the header).

    It takes `db` (which authentication already opened) only to be resolved after it: Litestar
    resolves independent dependencies concurrently in a task group, and on these short requests
    that costs more than resolving the two in turn.
    """
    principal = request.user
    if not isinstance(principal, Principal):  # pragma: no cover - auth middleware guarantees it
        raise TypeError("route is not authenticated")
    return principal
