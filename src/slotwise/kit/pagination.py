"""Pagination query parameters, the same bounds on every list route.

Pages are 0-based (meetergo's). Routes that take `limit` as an alias of `pageSize` use
`PageSize` and `PageSizeAlias` and resolve them with `page_size`; the others give `pageSize`
or `limit` a default of `DEFAULT_PAGE_SIZE`. Lists whose body is a bare array (meetergo's)
stay whole unless `page` or `pageSize` is sent (`window`), and tell the total in a header
(`counted`).
"""

from collections.abc import Sequence
from typing import Annotated, TypeVar

from litestar import Response
from litestar.datastructures import ResponseHeader
from litestar.params import QueryParameter

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

Page = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
Offset = Annotated[int, QueryParameter(ge=0, le=2_000_000_000)]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)]
PageSizeOrDefault = Annotated[int, QueryParameter(name="pageSize", ge=1, le=MAX_PAGE_SIZE)]
PageSize = Annotated[int | None, QueryParameter(name="pageSize", ge=1, le=MAX_PAGE_SIZE)]
#: `minimum` is repeated because the schema of an optional parameter drops a bound of 0
OptionalPage = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        le=1_000_000,
        description="0-based; with or without pageSize",
        schema_extra={"minimum": 0},
    ),
]
PageSizeAlias = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Alias of pageSize")
]


def page_size(size: int | None, alias: int | None) -> int:
    """`pageSize` wins over its alias `limit`; neither given is the default."""
    return size or alias or DEFAULT_PAGE_SIZE


TOTAL_COUNT = "X-Total-Count"
TOTAL_COUNT_HEADER = ResponseHeader(
    name=TOTAL_COUNT,
    description="How many items the whole list has (whether or not a page was asked for)",
    documentation_only=True,
    required=True,
)
T = TypeVar("T")


def window(page: int | None, size: int | None) -> tuple[int, int | None]:
    """`(offset, limit)` of a list answered whole unless paged: neither given is everything
    (limit None); a missing page is the first, a missing pageSize the default."""
    if page is None and size is None:
        return 0, None
    size = size or DEFAULT_PAGE_SIZE
    return (page or 0) * size, size


def counted(items: Sequence[T], total: int) -> Response[list[T]]:
    """The bare array with its total in `X-Total-Count`."""
    return Response(list(items), headers={TOTAL_COUNT: str(total)})
