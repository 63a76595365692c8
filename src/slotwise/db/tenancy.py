"""The one place tenant scoping happens.

`CompanyId` is minted only by `auth.middleware` (from a verified credential), by the lookups in
`db.unscoped` (a booking URL, an invitee's appointment), by the company bootstrap and the CLI,
and by job code reading it off a row. Every query on a tenant-owned table goes through
`TenantRepository`, which binds the company when it is built and puts `company_id = :cid` into
every statement it issues; `tests/db/test_tenancy_lint.py` holds the rule.
"""

import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, NewType, TypeVar, cast

from sqlalchemy import ColumnElement, Select, and_, bindparam, delete, func, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import ExecutableOption

from slotwise.kit.errors import NotFound
from slotwise.models.base import TenantModel, uuid7

CompanyId = NewType("CompanyId", uuid.UUID)


M = TypeVar("M", bound=TenantModel)


class TenantRepository(Generic[M]):
    """Queries on one tenant-owned model, always filtered by the bound company."""

    model: type[M]
    not_found_message = "Not Found"
    #: conditions beyond the company that every query adds (rows the repository does not see)
    row_filter: ClassVar[tuple[ColumnElement[bool], ...]] = ()

    def __init__(self, session: AsyncSession, company_id: CompanyId) -> None:
        self.session = session
        self.company_id = company_id

    @property
    def _scope(self) -> ColumnElement[bool]:
        return and_(self.model.company_id == self.company_id, *self.row_filter)

    @classmethod
    def _by_id(cls) -> Select[M]:
        """`get`'s statement, built once per repository with the company and id as
        parameters: building and keying a statement costs more than running it."""
        stmt: Select[M] | None = cls.__dict__.get("_by_id_statement")
        if stmt is None:
            model = cls.model
            stmt = select(model).where(
                model.company_id == bindparam("scope_company_id"),
                *cls.row_filter,
                model.id == bindparam("row_id"),
            )
            setattr(cls, "_by_id_statement", stmt)  # noqa: B010 (per subclass, not inherited)
        return stmt

    def _held(self, id_: uuid.UUID) -> M | None:
        """The row itself when this session already holds it loaded and alive, so `get` sends
        no query: the query would return that same object, since the identity map does not
        overwrite what it holds. Never for a repository with a row filter, which a held row
        may have stopped passing."""
        if self.row_filter:
            return None
        mapper = inspect(self.model)
        key = [
            self.company_id if column.key == "company_id" else id_ for column in mapper.primary_key
        ]
        held = self.session.identity_map.get(mapper.identity_key_from_primary_key(tuple(key)))
        if held is None:
            return None
        state = inspect(held)
        if (
            state.expired_attributes
            or state.deleted
            or state.was_deleted
            or held in self.session.deleted
        ):
            return None
        return cast(M, held)

    def select(self, *where: ColumnElement[bool]) -> Select[M]:
        return select(self.model).where(self._scope, *where)

    async def list(
        self,
        *where: ColumnElement[bool],
        order_by: Sequence[Any] = (),
        limit: int | None = None,
        offset: int = 0,
        options: Sequence[ExecutableOption] = (),
    ) -> list[M]:
        stmt = self.select(*where).options(*options).order_by(*order_by).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list((await self.session.scalars(stmt)).all())

    async def first(
        self, *where: ColumnElement[bool], options: Sequence[ExecutableOption] = ()
    ) -> M | None:
        """The one row (or the first) matching `where`, for tables that hold one per key."""
        found = await self.list(*where, options=options, limit=1)
        return found[0] if found else None

    async def locked_one(
        self, conflict: Sequence[str], *where: ColumnElement[bool], **values: Any
    ) -> M:
        """The row matching `where`, inserted with `values` when missing (the unique columns
        `conflict` decide), and locked until commit: concurrent writers take turns instead
        of racing on the unique key."""
        stmt = (
            pg_insert(self.model)
            .values(id=uuid7(), company_id=self.company_id, **values)
            .on_conflict_do_nothing(index_elements=list(conflict))
        )
        await self.session.execute(stmt)
        return (await self.session.scalars(self.select(*where).with_for_update())).one()

    async def count(self, *where: ColumnElement[bool]) -> int:
        stmt = select(func.count()).select_from(self.model).where(self._scope, *where)
        return int((await self.session.scalar(stmt)) or 0)

    async def get(
        self, id_: uuid.UUID, *where: ColumnElement[bool], for_update: bool = False
    ) -> M | None:
        if not where and not for_update:
            held = self._held(id_)
            if held is not None:
                return held
            params = {"scope_company_id": self.company_id, "row_id": id_}
            return (await self.session.scalars(self._by_id(), params)).one_or_none()
        stmt = self.select(self.model.id == id_, *where)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).one_or_none()

    async def get_or_404(
        self, id_: uuid.UUID, *where: ColumnElement[bool], for_update: bool = False
    ) -> M:
        found = await self.get(id_, *where, for_update=for_update)
        if found is None:
            raise NotFound(self.not_found_message)
        return found

    def add(self, obj: M) -> M:
        obj.company_id = self.company_id
        self.session.add(obj)
        return obj

    async def update_values(self, id_: uuid.UUID, **values: Any) -> int:
        stmt = update(self.model).where(self._scope, self.model.id == id_).values(**values)
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)

    async def remove(self, obj: M) -> None:
        """Delete a row the caller holds, through the ORM: the request's audit entry can name
        it (a statement by id leaves no row behind to name)."""
        await self.session.delete(obj)
        await self.session.flush()

    async def delete(self, id_: uuid.UUID) -> int:
        stmt = delete(self.model).where(self._scope, self.model.id == id_)
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)
