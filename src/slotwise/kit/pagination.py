"""Pagination query parameters, the same bounds on every list route.

Pages are 0-based (meetergo's). Routes that take `limit` as an alias of `pageSize` use
`PageSize` and `PageSizeAlias` and resolve them with `page_size`; the others give `pageSize`
or `limit` a default of `DEFAULT_PAGE_SIZE`.
"""

from typing import Annotated

from litestar.params import QueryParameter

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

Page = Annotated[int, QueryParameter(ge=0, le=1_000_000)]
Offset = Annotated[int, QueryParameter(ge=0, le=2_000_000_000)]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE)]
PageSizeOrDefault = Annotated[int, QueryParameter(name="pageSize", ge=1, le=MAX_PAGE_SIZE)]
PageSize = Annotated[int | None, QueryParameter(name="pageSize", ge=1, le=MAX_PAGE_SIZE)]
PageSizeAlias = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Alias of pageSize")
]


def page_size(size: int | None, alias: int | None) -> int:
    """`pageSize` wins over its alias `limit`; neither given is the default."""
    return size or alias or DEFAULT_PAGE_SIZE
