"""Run Alembic migrations from code (the CLI, the dev command and the tests use it)."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

ROOT = Path(__file__).resolve().parents[3]

#: the advisory lock every migration run holds ("slotwise" in ASCII), so that two deploys
#: starting `slotwise migrate` at once run one after the other; in pg_locks it shows as
#: classid 1936486260, objid 2003399525
MIGRATION_LOCK_KEY = 0x736C6F7477697365

_LOCK = text("SELECT pg_advisory_lock(:key)").bindparams(bindparam("key", MIGRATION_LOCK_KEY))
_UNLOCK = text("SELECT pg_advisory_unlock(:key)").bindparams(bindparam("key", MIGRATION_LOCK_KEY))


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """Hold the migration lock on Alembic's own connection until the run ends.

    Taken before Alembic reads the current revision, so a run that waited sees what the one
    before it did. Session-level rather than transaction-level: it outlives the commits of a
    migration that steps outside the main transaction. A run that fails leaves it to the
    connection's close (Alembic's engine keeps no pool), which releases it too.
    """
    connection.execute(_LOCK)
    connection.commit()
    yield
    connection.execute(_UNLOCK)
    connection.commit()


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
