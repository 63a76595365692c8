"""The authentication hot path: argon2 only on a cold path, failures throttled before argon2.

- A bounded in-process LRU remembers (credential id, stored hash, digest of the secret) triples
  that verified; the credential row itself is read on every request (or, when
  `SLOTWISE_CREDENTIAL_CACHE_SECONDS` is set, again whenever it may have changed:
  `auth.credential_cache`), so revocation, deactivation and expiry still apply.
- Failed verifications are counted per credential id and per client address by a failure gate
  (in Redis across processes in the app, in process memory by default). Each attempt counts as
  a failure before argon2 runs and is given back when the secret verifies, so past the limit an
  attempt is refused before argon2, even within a concurrent burst.
- argon2 runs in a worker thread under a small capacity limiter, never on the event loop;
  concurrent verifications of the same secret share one argon2 run.
"""

import asyncio
import hashlib
import hmac
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable

import anyio.to_thread
from anyio import CapacityLimiter
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from slotwise.kit.state import StateKey
from slotwise.ratelimit.failures import FailureGate, LocalFailureGate


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class Verifier:
    def __init__(
        self,
        hasher: PasswordHasher,
        *,
        cache_size: int = 10_000,
        failures_per_credential: int = 10,
        failures_per_address: int = 30,
        window_seconds: float = 60.0,
        threads: int = 2,
        clock: Callable[[], float] = time.monotonic,
        failures: FailureGate | None = None,
    ) -> None:
        self.hasher = hasher
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[uuid.UUID, str, bytes], None] = OrderedDict()
        self._holders: OrderedDict[str, tuple[bytes, uuid.UUID, uuid.UUID]] = OrderedDict()
        self.failures = failures or LocalFailureGate(
            failures_per_credential, failures_per_address, window_seconds, clock
        )
        self._limiter = CapacityLimiter(threads)
        self._in_flight: dict[tuple[uuid.UUID, str, bytes], asyncio.Future[bool]] = {}
        self.argon2_runs = 0

    def __len__(self) -> int:
        return len(self._cache)

    def remember(
        self, lookup_id: str, secret: str, credential_id: uuid.UUID, company_id: uuid.UUID
    ) -> None:
        """Note that `secret` authenticated the credential with this public lookup id."""
        self._holders[lookup_id] = (_digest(secret), credential_id, company_id)
        self._holders.move_to_end(lookup_id)
        while len(self._holders) > self.cache_size:
            self._holders.popitem(last=False)

    def holder(self, lookup_id: str, secret: str) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(credential id, company id) when this secret already authenticated that lookup id in
        this process, before any query; the caller must still authenticate the request."""
        known = self._holders.get(lookup_id)
        if known is None or not hmac.compare_digest(known[0], _digest(secret)):
            return None
        return known[1], known[2]

    async def verify(
        self, credential_id: uuid.UUID, secret_hash: str, secret: str, address: str
    ) -> bool:
        """True when `secret` matches; over the failure limit, Throttled instead of argon2."""
        key = (credential_id, secret_hash, _digest(secret))
        if key in self._cache:
            self._cache.move_to_end(key)
            return True
        pending = self._in_flight.get(key)
        if pending is not None:  # the same secret is being verified: share that result
            return await asyncio.shield(pending)
        # in flight from before the failure count is taken, so that the same secret arriving
        # meanwhile shares this attempt instead of taking counts of its own
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            refusal = await self.failures.reserve(str(credential_id), address)
            if refusal is not None:
                raise refusal
            ok = await self._run_argon2(key, secret_hash, secret, address)
            future.set_result(ok)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters, if any, re-raise it themselves
            raise
        finally:
            del self._in_flight[key]
        return ok

    async def _run_argon2(
        self, key: tuple[uuid.UUID, str, bytes], secret_hash: str, secret: str, address: str
    ) -> bool:
        """Run argon2 for an attempt already counted as a failure; on success give it back."""
        credential_id = key[0]
        self.argon2_runs += 1
        ok = await anyio.to_thread.run_sync(self._check, secret_hash, secret, limiter=self._limiter)
        if ok:
            self._cache[key] = None
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
            await self.failures.release(str(credential_id), address)
        return ok

    def _check(self, secret_hash: str, secret: str) -> bool:
        try:
            return self.hasher.verify(secret_hash, secret)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def hash(self, secret: str) -> str:
        return self.hasher.hash(secret)


VERIFIER = StateKey("verifier", Verifier)
