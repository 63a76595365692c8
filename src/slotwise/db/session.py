"""Database engine, sessions and the per-request unit of work."""

import logging
import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from litestar import Request
from litestar.types import Scope
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from slotwise.db.outage import describe
from slotwise.jobs import JOB_QUEUE, flush_after_commit
from slotwise.kit.state import StateKey
from slotwise.settings import Settings

log = logging.getLogger("slotwise.db")

_SESSION_KEY = "slotwise.session"
_INSERTED_KEY = "slotwise.inserted"
_CHANGED_KEY = "slotwise.changed"
_STATEMENT_TABLES_KEY = "slotwise.statement_tables"
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

BeforeCommit = Callable[[Request[Any, Any, Any], AsyncSession], Awaitable[None]]


AfterCommit = Callable[[Request[Any, Any, Any], AsyncSession], None]


class UnitOfWork:
    """What every request's transaction does last, before it commits (writing the audit
    entry), and right after the commit, before the answer goes (forgetting credentials it
    changed).

    Installed in the app state by the wiring file, so this module knows no layer above it.
    """

    def __init__(
        self, *before_commit: BeforeCommit, after_commit: tuple[AfterCommit, ...] = ()
    ) -> None:
        self.before_commit = before_commit
        self.after_commit = after_commit


UNIT_OF_WORK = StateKey("unit_of_work", UnitOfWork)

ENGINE = StateKey("engine", AsyncEngine)
SESSIONMAKER: StateKey[async_sessionmaker[AsyncSession]] = StateKey(
    "sessionmaker", async_sessionmaker
)
#: sessions for reading requests (`create_sessionmaker(reading=True)`)
READ_SESSIONMAKER: StateKey[async_sessionmaker[AsyncSession]] = StateKey(
    "read_sessionmaker", async_sessionmaker
)


#: how long opening a connection may take before the request is answered 503
CONNECT_TIMEOUT_SECONDS = 5

#: PgBouncer in transaction pooling hands each transaction whichever server connection is free,
#: so a statement prepared under a name in one transaction is missing in the next (or, prepared
#: by another client under the same name, already there). With both caches off, asyncpg prepares
#: every statement, ORM or raw, unnamed, and parses it again in the message that binds its
#: parameters, so nothing prepared outlives the statement.
PGBOUNCER_CONNECT_ARGS = {"statement_cache_size": 0, "prepared_statement_cache_size": 0}


#: set while a connection is checked out for a read that checks it itself (`fetch_first`)
_FIRST_READ_CHECKS: ContextVar[bool] = ContextVar("slotwise_first_read_checks", default=False)


def _ping(
    dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Replace a connection the server closed while it sat in the pool (a restart, a
    failover, an idle timeout) instead of failing the request that drew it.

    In place of `pool_pre_ping`, whose asyncpg ping is three round trips (begin, `;`,
    rollback), more than a short request's own queries: one `SELECT 1` in the simple query
    protocol, outside any transaction (so through PgBouncer too). Checking only asyncpg's
    closed flag instead is not enough: a connection the server has just ended can still look
    open, and the request that draws it fails inside the driver. Skipped for a checkout whose
    first statement is a read that checks the connection itself (`fetch_first`).
    """
    if _FIRST_READ_CHECKS.get():
        return
    try:
        dbapi_connection.run_async(lambda driver: driver.execute("SELECT 1"))
    except Exception as exc:
        raise DisconnectionError("the pooled connection is gone") from exc


def create_engine(settings: Settings) -> AsyncEngine:
    engine = create_async_engine(
        settings.async_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size // 2,
        pool_recycle=1800,
        # an unreachable server fails the request within seconds (asyncpg waits 60 by default)
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS}
        | (PGBOUNCER_CONNECT_ARGS if settings.db_pgbouncer else {}),
        echo=settings.db_echo,
        # a failed statement's error (and so the log line) never carries its values:
        # attendees' names, emails and notes
        hide_parameters=True,
    )
    event.listen(engine.sync_engine, "before_cursor_execute", _refuse_writes)
    event.listen(engine.sync_engine.pool, "checkout", _ping)
    return engine


def create_sessionmaker(
    engine: AsyncEngine, *, reading: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions for work in transactions, or (`reading`) for a request that only reads.

    A reading session runs each statement on its own, outside any transaction: no BEGIN and
    no COMMIT, two round trips fewer, and at READ COMMITTED it sees what a transaction would
    (each statement its own snapshot). A write or a lock there is refused (`_refuse_writes`),
    since it would neither be atomic with the rest nor hold.
    """
    if reading:
        engine = engine.execution_options(isolation_level="AUTOCOMMIT", **{READING: True})
    return async_sessionmaker(engine, expire_on_commit=False)


#: the execution option that marks a reading session's statements
READING = "slotwise_reading"
#: the execution option of the one write a reading request may make: a single statement that
#: stands alone (recording a credential's use)
STANDALONE_WRITE = "slotwise_standalone_write"
#: the route `opt` key of a GET handler that writes: it runs in a transaction, like a POST
WRITES = "writes"
READING_METHODS = frozenset({"GET", "HEAD"})
_LOCKS = re.compile(r"\bFOR (?:NO KEY |KEY )?(?:UPDATE|SHARE)\b|advisory_xact_lock", re.IGNORECASE)


class WriteInReadingRequest(RuntimeError):
    """A reading request (a GET without `opt={WRITES: True}`) sent a write or took a lock."""


def _refuse_writes(
    conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    options = context.execution_options if context is not None else conn.get_execution_options()
    if not options.get(READING) or options.get(STANDALONE_WRITE):
        return
    if statement.lstrip()[:6].upper() != "SELECT" or _LOCKS.search(statement):
        raise WriteInReadingRequest(
            f"a reading request may not write or lock; mark the route opt={{{WRITES!r}: True}}: "
            f"{statement[:80]}"
        )


def reads_only(scope: Scope) -> bool:
    """Whether the request is a read: a GET or HEAD whose handler does not say it writes."""
    if scope.get("method") not in READING_METHODS:
        return False
    handler = scope.get("route_handler")
    return handler is None or not handler.opt.get(WRITES, False)


async def driver_connection(session: AsyncSession) -> Any:
    """The session's own asyncpg connection, for the few hot read queries that skip the ORM.

    Statements sent this way run on the session's connection, inside its transaction when one
    has begun (otherwise each is its own); write through the ORM.
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def fetch_first(session: AsyncSession, sql: str, *args: Any) -> Any:
    """One row of a read that is the first statement of the session's connection (the
    credential every authenticated request reads), with that read as the connection's check:
    the checkout sends no `SELECT 1`, a round trip less per request.

    A connection the read fails on (the server ended it while it sat in the pool) is dropped,
    and the read runs once more on a connection the checkout checks as usual, so it costs no
    failed request; a database out of reach still fails, as before. On a session that has
    already begun, it is a plain read.
    """
    if session.in_transaction():
        return await (await driver_connection(session)).fetchrow(sql, *args)
    token = _FIRST_READ_CHECKS.set(True)
    try:
        driver = await driver_connection(session)
    finally:
        _FIRST_READ_CHECKS.reset(token)
    try:
        return await driver.fetchrow(sql, *args)
    except Exception as exc:
        # a connection the server ended while idle fails in more ways than an outage shows
        # (a closed connection, or the driver's own state error): like a failed `SELECT 1`,
        # any failure drops it, and a failure of the read itself comes back from the retry
        log.info("a pooled connection failed its first read and is replaced: %s", describe(exc))
    await session.invalidate()
    driver = await driver_connection(session)
    return await driver.fetchrow(sql, *args)


async def release_connection(session: AsyncSession) -> None:
    """Give the session's connection back to the pool before the request waits on another
    server (a calendar), so a slow server cannot hold database connections. Only for a
    session that has written nothing yet: its transaction is ended, and the next statement
    takes a connection again."""
    if session.new or session.dirty or session.deleted:  # pragma: no cover - a coding error
        raise RuntimeError("release_connection on a session with pending writes")
    await session.rollback()


def request_session(scope: Scope) -> AsyncSession:
    """The request's one session (and connection), opened on first use.

    Authentication reads the credential through it, so a request holds one connection, not
    two. Whoever runs the request closes it with `close_request_session`.
    """
    state = scope.setdefault("state", {})
    session: AsyncSession | None = state.get(_SESSION_KEY)
    if session is None:
        maker = READ_SESSIONMAKER if reads_only(scope) else SESSIONMAKER
        session = state[_SESSION_KEY] = maker.of(scope["app"].state)()
        if scope.get("method") in WRITING_METHODS:
            event.listen(session.sync_session, "after_flush", _remember_inserted)
            event.listen(session.sync_session, "do_orm_execute", _remember_statement)
    return session


def _remember_inserted(session: Session, _context: object) -> None:
    session.info.setdefault(_INSERTED_KEY, []).extend(session.new)
    session.info.setdefault(_CHANGED_KEY, []).extend([*session.dirty, *session.deleted])


def _remember_statement(state: ORMExecuteState) -> None:
    """Note the table of an UPDATE or DELETE statement run through the session (rows the ORM
    flushes are noted by `_remember_inserted`); recording a credential's use is no change."""
    if (state.is_update or state.is_delete) and not state.execution_options.get(STANDALONE_WRITE):
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if isinstance(name, str):
            state.session.info.setdefault(_STATEMENT_TABLES_KEY, set()).add(name)


def inserted_rows(session: AsyncSession) -> list[object]:
    """The rows a writing request's session inserted through the ORM, in flush order."""
    return list(session.info.get(_INSERTED_KEY, ()))


def changed_rows(session: AsyncSession) -> list[object]:
    """The rows it updated or deleted through the ORM (they stay known after the session lets
    go of them)."""
    return list(session.info.get(_CHANGED_KEY, ()))


def written_tables(session: AsyncSession) -> set[str]:
    """The tables a writing request's session has inserted into, updated or deleted from."""
    info = session.info
    rows = [*info.get(_INSERTED_KEY, ()), *info.get(_CHANGED_KEY, ())]
    statements: set[str] = info.get(_STATEMENT_TABLES_KEY, set())
    return {type(row).__table__.name for row in rows} | statements


async def close_request_session(scope: Scope) -> None:
    session: AsyncSession | None = scope.get("state", {}).pop(_SESSION_KEY, None)
    if session is not None:
        await session.close()


async def provide_transaction(
    request: Request[Any, Any, Any],
) -> AsyncGenerator[AsyncSession, None]:
    """One transaction per request: committed after the handler returns, rolled back on error.

    Litestar runs this cleanup before the response is sent, so a failed commit becomes an
    error response rather than a false success. Services flush but never commit. The
    `UnitOfWork` hooks (the audit entry) run just before the commit, in the same transaction.
    Job wake-ups asked for during the request are sent only after the commit succeeded.
    """
    session = request_session(request.scope)
    work = UNIT_OF_WORK.find(request.app.state)
    try:
        yield session
        for before_commit in work.before_commit if work else ():
            await before_commit(request, session)
        await session.commit()
        for after_commit in work.after_commit if work else ():
            after_commit(request, session)
        await flush_after_commit(session, JOB_QUEUE.find(request.app.state))
    except BaseException:
        await session.rollback()
        raise
    finally:
        await close_request_session(request.scope)
