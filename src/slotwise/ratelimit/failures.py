"""Failed credential verifications, counted per credential and per client address.

Every attempt that is about to run argon2 is counted as a failure first (`reserve`, a refusal
past the limit) and given back when the secret verifies (`release`). Counting before argon2, in
one atomic step, is what bounds the work: a concurrent burst of wrong secrets for one credential
runs argon2 at most the limit times, since each attempt takes its place before any hash runs.
`AuthFailureGate` counts in Redis across processes; `LocalFailureGate` counts in this process
(the fallback while Redis is unreachable, and the default for tools and tests).
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from slotwise.ratelimit.limiter import Policy, RateLimiter, Window


class Throttled(Exception):
    def __init__(self, retry_after: int, headers: dict[str, str] | None = None) -> None:
        super().__init__("too many failed authentication attempts")
        self.retry_after = retry_after
        self.headers = {**(headers or {}), "Retry-After": str(retry_after)}


class FailureGate(Protocol):
    async def reserve(self, credential_id: str, address: str) -> Throttled | None:
        """Count one attempt as a failure before argon2 runs; a refusal (nothing counted) when
        this caller must not try a secret now."""

    async def release(self, credential_id: str, address: str) -> None:
        """Give back a reserved attempt whose secret verified."""


class FailureCounter:
    """Fixed-window failure counts per key, bounded in memory."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float], max_keys: int
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._counts: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def _current(self, key: str) -> tuple[float, int]:
        now = self.clock()
        start, count = self._counts.get(key, (now, 0))
        if now - start >= self.window:
            return now, 0
        return start, count

    def retry_after(self, key: str) -> int | None:
        start, count = self._current(key)
        if count < self.limit:
            return None
        return max(1, int(self.window - (self.clock() - start)) + 1)

    def record(self, key: str) -> None:
        start, count = self._current(key)
        self._counts[key] = (start, count + 1)
        self._counts.move_to_end(key)
        while len(self._counts) > self.max_keys:
            self._counts.popitem(last=False)

    def release(self, key: str) -> None:
        start, count = self._current(key)
        if count > 0:
            self._counts[key] = (start, count - 1)


class LocalFailureGate:
    """Failure counts of this process only: for tests and tools without Redis."""

    def __init__(
        self,
        per_credential: int,
        per_address: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._by_credential = FailureCounter(per_credential, window_seconds, clock, 100_000)
        self._by_address = FailureCounter(per_address, window_seconds, clock, 100_000)

    async def reserve(self, credential_id: str, address: str) -> Throttled | None:
        # no await between the check and the count: atomic within the event loop
        for counter, name in ((self._by_credential, credential_id), (self._by_address, address)):
            retry_after = counter.retry_after(name)
            if retry_after is not None:
                return Throttled(retry_after)
        self._by_credential.record(credential_id)
        self._by_address.record(address)
        return None

    async def release(self, credential_id: str, address: str) -> None:
        self._by_credential.release(credential_id)
        self._by_address.release(address)


class AuthFailureGate:
    """Failed credential verifications, counted in Redis per credential and per client address.

    Stricter than the request limits and shared by every process. While Redis is unreachable it
    fails closed: failures are counted per process and the first one shuts the gate for that
    credential and that address for the window, so an outage never opens the door to guessing,
    while valid secrets (which never fail) still verify.
    """

    def __init__(
        self, limiter: RateLimiter, *, per_credential: int, per_address: int, window_seconds: int
    ) -> None:
        self.limiter = limiter
        self.credential = Policy((Window("auth-failures", per_credential, window_seconds),))
        self.address = Policy((Window("auth-failures", per_address, window_seconds),))
        self.fallback = LocalFailureGate(1, 1, window_seconds)

    def _subjects(self, credential_id: str, address: str) -> list[tuple[str, Policy]]:
        return [
            (f"fail:cred:{credential_id}", self.credential),
            (f"fail:addr:{address}", self.address),
        ]

    async def reserve(self, credential_id: str, address: str) -> Throttled | None:
        """Count the attempt per credential, then per address, each in one atomic script call;
        a refusal (with its headers, nothing left counted) when either is over its limit."""
        taken: list[tuple[str, Policy]] = []
        for subject, policy in self._subjects(credential_id, address):
            decision = await self.limiter.hit(subject, policy)
            if decision.degraded:
                await self._give_back(taken)
                return await self.fallback.reserve(credential_id, address)
            if not decision.allowed:
                await self._give_back(taken)
                return Throttled(decision.retry_after_seconds, decision.headers())
            taken.append((subject, policy))
        return None

    async def release(self, credential_id: str, address: str) -> None:
        if not await self._give_back(self._subjects(credential_id, address)):
            await self.fallback.release(credential_id, address)

    async def _give_back(self, taken: list[tuple[str, Policy]]) -> bool:
        """Refund the counts; False when Redis was unreachable for any of them."""
        reached = True
        for subject, policy in taken:
            reached = await self.limiter.refund(subject, policy) and reached
        return reached
