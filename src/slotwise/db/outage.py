"""Which errors mean the database is out of reach (lost, refusing or down), not a defect.

A request that meets one is answered 503 with Retry-After: the pool has already dropped the
broken connection (and every other one opened before it), so a retry gets a fresh one.
Everything else stays a 500.
"""

import socket

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

#: SQLSTATEs of a lost or refused connection: class 08, shut down or starting up, too many
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
#: refused while connecting: the database does not accept connections (maintenance)
_NOT_ACCEPTING = "55000"


def _driver_error(exc: DBAPIError) -> BaseException | None:
    """asyncpg's own exception under SQLAlchemy's wrapper (and its adapter's)."""
    orig = exc.orig
    return getattr(orig, "__cause__", None) or orig


def _sqlstate(exc: BaseException | None) -> str:
    return str(getattr(exc, "sqlstate", "") or "") if isinstance(exc, asyncpg.PostgresError) else ""


def _is_driver_outage(exc: BaseException | None) -> bool:
    if isinstance(exc, asyncpg.PostgresConnectionError):
        return True
    if _sqlstate(exc).startswith(_UNAVAILABLE_STATES):
        return True
    # the driver used directly on a connection the server has closed
    return isinstance(exc, asyncpg.InterfaceError) and "connection is closed" in str(exc)


def is_database_unavailable(exc: BaseException) -> bool:
    """True for a connection that broke or could not be made, and for a pool with none free."""
    if isinstance(exc, DBAPIError):
        driver = _driver_error(exc)
        connecting = exc.statement is None and _sqlstate(driver) == _NOT_ACCEPTING
        return exc.connection_invalidated or connecting or _is_driver_outage(driver)
    if isinstance(exc, PoolTimeout):
        return True
    # raised while connecting: refused, reset, unknown host, no answer in time
    if isinstance(exc, ConnectionError | socket.gaierror | TimeoutError):
        return True
    return _is_driver_outage(exc)


def describe(exc: BaseException) -> str:
    """The error's kind and the driver's first line: never the statement or its values."""
    cause = _driver_error(exc) if isinstance(exc, DBAPIError) else None
    lines = str(exc if cause is None else cause).splitlines()
    name = type(exc).__name__ + ("" if cause is None else f"/{type(cause).__name__}")
    return f"{name}: {lines[0][:200] if lines else ''}"
