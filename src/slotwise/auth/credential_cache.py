"""Credentials a process has read, kept briefly so most authenticated requests read none.

Reading the credential and its acting user is one query on every authenticated request; kept,
a request with a known credential goes straight to its handler. What keeps that safe:

- PostgreSQL announces every change that can end or alter a credential (its row, its lookup
  id, the role or deletion of a user it may act as: triggers of migration 0031 `NOTIFY
  slotwise_auth`), and each process listens on a connection of its own. A notice drops every
  kept credential of that process, so a revocation made anywhere applies within the notice's
  delivery, milliseconds.
- A process forgets at once, before answering, after its own request changed such a row
  (`forget_after_writes`), so there the next request is refused without waiting for the notice.
- Nothing is kept while the listening connection is down (notices would be missed): the
  cache is emptied when it drops and used again only once listening has resumed; a keep-alive
  every few seconds finds a connection that died silently. An entry is also kept at most
  `SLOTWISE_CREDENTIAL_CACHE_SECONDS`.
- Only lookups that authenticated are kept; the secret is still checked on every request, and
  expiry is compared with the clock on every request.
"""

import asyncio
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.db.session import written_tables
from slotwise.db.unscoped import FoundCredential
from slotwise.kit.state import StateKey

log = logging.getLogger("slotwise.auth")

CHANNEL = "slotwise_auth"
#: how the listening connection shows in `pg_stat_activity`
APPLICATION_NAME = "slotwise credential notices"
#: the tables whose changes end kept credentials (what `find_credential` reads)
AUTH_TABLES = frozenset({"credential", "credential_lookup", "user"})
#: how often the listening connection is checked, so a silently dead one is found
KEEPALIVE_SECONDS = 5.0
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)

Key = tuple[str, uuid.UUID | None]


class CredentialCache:
    def __init__(
        self, seconds: float, size: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.size = size
        self._clock = clock
        self._entries: OrderedDict[Key, tuple[float, FoundCredential]] = OrderedDict()
        #: bumped whenever kept credentials are dropped: a lookup that began before may not
        #: be kept, since it may have read what the change replaced
        self.epoch = 0
        self.listening = False

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, lookup_id: str, acting_user: uuid.UUID | None) -> FoundCredential | None:
        if not self.listening:
            return None
        key = (lookup_id, acting_user)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() - entry[0] >= self.seconds:
            del self._entries[key]
            return None
        return entry[1]

    def put(
        self,
        lookup_id: str,
        acting_user: uuid.UUID | None,
        found: FoundCredential,
        epoch: int,
    ) -> None:
        """Keep a credential read from the database by a lookup that began at `epoch`."""
        if not self.listening or epoch != self.epoch or self.seconds <= 0:
            return
        key = (lookup_id, acting_user)
        self._entries[key] = (self._clock(), found)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def used(self, lookup_id: str, acting_user: uuid.UUID | None, found: FoundCredential) -> None:
        """Replace a kept credential by the same one with its use recorded, keeping its age."""
        key = (lookup_id, acting_user)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries[key] = (entry[0], found)

    def forget(self) -> None:
        self.epoch += 1
        self._entries.clear()

    def _announced(self, *_notice: Any) -> None:
        self.forget()

    async def listen(self, url: str) -> None:
        """Hear the database's notices for the app's lifespan (cancel to stop), reconnecting
        after a loss; credentials are kept only while this listens."""
        failures = 0
        while True:
            try:
                await self._listen_once(url)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any loss: keep nothing, try again shortly
                if failures == 0:
                    log.warning("credential notices: %s: %s", type(exc).__name__, exc)
                failures += 1
            await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])

    async def _listen_once(self, url: str) -> None:
        connection = await asyncpg.connect(
            url, timeout=5, server_settings={"application_name": APPLICATION_NAME}
        )
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(CHANNEL, self._announced)
            self.forget()
            self.listening = True
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await asyncio.wait_for(connection.execute("SELECT 1"), KEEPALIVE_SECONDS)
        finally:
            self.listening = False
            self.forget()
            connection.terminate()


def forget_after_writes(request: Request[Any, Any, Any], session: AsyncSession) -> None:
    """After a request's commit: forget this process's credentials when it changed a table
    they come from, so the change applies here from the next request on."""
    if AUTH_TABLES.isdisjoint(written_tables(session)):
        return
    cache = CREDENTIAL_CACHE.find(request.app.state)
    if cache is not None:
        cache.forget()


CREDENTIAL_CACHE = StateKey("credential_cache", CredentialCache)
