"""Database engine, sessions and the per-request unit of work."""

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Request
from litestar.types import Scope
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from slotwise.jobs import JOB_QUEUE, flush_after_commit
from slotwise.kit.state import StateKey
from slotwise.settings import Settings

_SESSION_KEY = "slotwise.session"

ENGINE = StateKey("engine", AsyncEngine)
SESSIONMAKER: StateKey[async_sessionmaker[AsyncSession]] = StateKey(
    "sessionmaker", async_sessionmaker
)


#: how long opening a connection may take before the request is answered 503
CONNECT_TIMEOUT_SECONDS = 5


def create_engine(settings: Settings) -> AsyncEngine:
    return create_async_engine(
        settings.async_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size // 2,
        pool_recycle=1800,
        # a connection the server closed while it sat in the pool (a restart, a failover, an
        # idle timeout) is replaced on checkout instead of failing the request that drew it
        pool_pre_ping=True,
        # an unreachable server fails the request within seconds (asyncpg waits 60 by default)
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
        echo=settings.db_echo,
        # a failed statement's error (and so the log line) never carries its values:
        # attendees' names, emails and notes
        hide_parameters=True,
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def driver_connection(session: AsyncSession) -> Any:
    """The session's own asyncpg connection, for the few hot read queries that skip the ORM.

    Statements sent this way run on the session's connection, inside its transaction when one
    has begun (otherwise each is its own); write through the ORM.
    """
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


def request_session(scope: Scope) -> AsyncSession:
    """The request's one session (and connection), opened on first use.

    Authentication reads the credential through it, so a request holds one connection, not
    two. Whoever runs the request closes it with `close_request_session`.
    """
    state = scope.setdefault("state", {})
    session: AsyncSession | None = state.get(_SESSION_KEY)
    if session is None:
        session = state[_SESSION_KEY] = SESSIONMAKER.of(scope["app"].state)()
    return session


async def close_request_session(scope: Scope) -> None:
    session: AsyncSession | None = scope.get("state", {}).pop(_SESSION_KEY, None)
    if session is not None:
        await session.close()


async def provide_transaction(
    request: Request[Any, Any, Any],
) -> AsyncGenerator[AsyncSession, None]:
    """One transaction per request: committed after the handler returns, rolled back on error.

    Litestar runs this cleanup before the response is sent, so a failed commit becomes an
    error response rather than a false success. Services flush but never commit. Job wake-ups
    asked for during the request are sent only after the commit succeeded.
    """
    session = request_session(request.scope)
    try:
        yield session
        await session.commit()
        await flush_after_commit(session, JOB_QUEUE.find(request.app.state))
    except BaseException:
        await session.rollback()
        raise
    finally:
        await close_request_session(request.scope)
