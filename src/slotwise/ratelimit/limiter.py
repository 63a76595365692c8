"""Rate limits enforced in Redis with one atomic GCRA script, with an in-process fallback.

A policy is one or more windows. Each window is a GCRA bucket: `capacity` requests at once,
refilled at `capacity / seconds` per second (the per-minute window is meetergo's 100 per minute
with bursts up to 200: capacity 200 over 120 s). A request passes only when every window allows
it, so the strictest window decides; one script call checks and updates all windows atomically
across processes, using Redis' own clock.

Each window names what it counts per: the per-minute window counts per caller (a credential or
a client address), the hour and day quotas count per company, so minting more keys buys a
company more requests per minute but no more per hour or day.

The headers describe one window: by default the binding one (fewest requests left); a policy
may name a headline window to report instead while requests pass, as the /api/v1 surface does
with its per-minute window. A refusal always reports the window that refused.

If Redis is unreachable the limiter keeps serving with the same algorithm per process (fail
open, logged once a minute) and marks its decisions as degraded.
"""

import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from slotwise.kit.state import StateKey

log = logging.getLogger("slotwise.ratelimit.limiter")

MICRO = 1_000_000

# KEYS: one per window. ARGV: emission interval (µs) and capacity per window, then 1 to count
# the request or 0 to only look. Returns: allowed (1/0), retry after (µs), then per window:
# remaining, µs until full.
_GCRA = """
local consume = tonumber(ARGV[#ARGV])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local allowed = 1
local retry = 0
local tats = {}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local capacity = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  tats[i] = tat
  local allow_at = tat + interval - capacity * interval
  if allow_at > now then
    allowed = 0
    if allow_at - now > retry then retry = allow_at - now end
  end
end
local out = {allowed, retry}
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local capacity = tonumber(ARGV[2 * i])
  local tat = tats[i]
  if allowed == 1 and consume == 1 then
    tat = tat + interval
    redis.call('SET', KEYS[i], tat, 'PX', math.ceil((tat - now) / 1000) + 1000)
  end
  out[#out + 1] = math.floor((capacity * interval - (tat - now)) / interval)
  out[#out + 1] = tat - now
end
return out
"""


CALLER = "caller"
COMPANY = "company"


# KEYS: one per window. ARGV: emission interval (µs) per window. Gives back one counted request
# per window (the caller counted it in advance and it turned out not to count).
_REFUND = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat then
    tat = tat - tonumber(ARGV[i])
    if tat <= now then
      redis.call('DEL', KEYS[i])
    else
      redis.call('SET', KEYS[i], tat, 'PX', math.ceil((tat - now) / 1000) + 1000)
    end
  end
end
return 1
"""


@dataclass(frozen=True)
class Window:
    name: str
    capacity: int
    seconds: int
    #: what the window counts per: CALLER (the subject of the hit) or COMPANY
    per: str = CALLER

    @property
    def interval_us(self) -> int:
        return max(1, self.seconds * MICRO // self.capacity)


@dataclass(frozen=True)
class Policy:
    windows: tuple[Window, ...]
    #: the window the headers report while requests pass (a refusal always reports the window
    #: that refused); None: the binding one, the window with the fewest requests left
    headline: str | None = None

    def __post_init__(self) -> None:
        if self.headline is not None and self.headline not in {w.name for w in self.windows}:
            raise ValueError(f"headline window {self.headline!r} is not one of the policy's")

    @classmethod
    def build(
        cls, per_minute: int, burst: int, per_hour: int | None = None, per_day: int | None = None
    ) -> "Policy":
        """`per_minute` sustained with bursts up to `burst`, plus optional hour and day quotas."""
        burst = max(burst, 1)
        windows = [Window("minute", burst, max(1, round(burst * 60 / per_minute)))]
        if per_hour:
            windows.append(Window("hour", per_hour, 3600, COMPANY))
        if per_day:
            windows.append(Window("day", per_day, 86400, COMPANY))
        return cls(tuple(windows))

    def header(self) -> str:
        """IETF draft `RateLimit-Policy`: one item per window."""
        return ", ".join(f'"{w.name}";q={w.capacity};w={w.seconds}' for w in self.windows)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_us: int
    #: the window reported (the policy's headline, the refusing one, else the fewest remaining)
    window: Window
    remaining: int
    reset_us: int
    policy: Policy
    degraded: bool = False

    @property
    def retry_after_seconds(self) -> int:
        return max(1, math.ceil(self.retry_after_us / MICRO))

    def headers(self, now: float | None = None) -> dict[str, str]:
        now = time.time() if now is None else now
        reset_seconds = math.ceil(self.reset_us / MICRO)
        remaining = max(0, self.remaining)
        headers = {
            "X-RateLimit-Limit": str(self.window.capacity),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(math.ceil(now) + reset_seconds),
            "X-RateLimit-Used": str(self.window.capacity - remaining),
            "RateLimit-Policy": self.policy.header(),
            "RateLimit": f'"{self.window.name}";r={remaining};t={reset_seconds}',
        }
        if self.degraded:
            headers["X-RateLimit-Scope"] = "process"
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after_seconds)
        return headers


def _decide(policy: Policy, raw: list[int], degraded: bool) -> Decision:
    allowed, retry = bool(raw[0]), int(raw[1])
    states = [(int(raw[2 + 2 * i]), int(raw[3 + 2 * i])) for i in range(len(policy.windows))]
    index = _reported(policy, allowed, states)
    remaining, reset = states[index]
    return Decision(allowed, retry, policy.windows[index], remaining, reset, policy, degraded)


def _reported(policy: Policy, allowed: bool, states: list[tuple[int, int]]) -> int:
    """Index of the window the headers describe, given each window's (remaining, µs to full)."""
    indexes = range(len(states))
    if policy.headline is None:
        return min(indexes, key=lambda i: states[i][0])
    if allowed:
        return next(i for i, w in enumerate(policy.windows) if w.name == policy.headline)

    def wait(i: int) -> int:
        # how long until this window would let one more through (the refusing ones: > 0)
        window = policy.windows[i]
        return states[i][1] - (window.capacity - 1) * window.interval_us

    # the window that refused, the one with the longest wait when several did: Retry-After
    return max(indexes, key=wait)


class LocalBuckets:
    """The same GCRA in process memory: the fallback while Redis is unreachable."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._tats: OrderedDict[str, int] = OrderedDict()
        self.max_keys = max_keys

    def run(
        self, keys: list[str], policy: Policy, now_us: int, *, consume: bool = True
    ) -> list[int]:
        tats = [max(self._tats.get(key, now_us), now_us) for key in keys]
        retry = 0
        for tat, window in zip(tats, policy.windows, strict=True):
            allow_at = tat + window.interval_us - window.capacity * window.interval_us
            retry = max(retry, allow_at - now_us)
        allowed = retry <= 0
        out = [int(allowed), max(retry, 0)]
        for key, tat, window in zip(keys, tats, policy.windows, strict=True):
            new_tat = tat + window.interval_us if allowed and consume else tat
            if allowed and consume:
                self._tats[key] = new_tat
                self._tats.move_to_end(key)
            cap = window.capacity * window.interval_us
            out += [(cap - (new_tat - now_us)) // window.interval_us, new_tat - now_us]
        while len(self._tats) > self.max_keys:
            self._tats.popitem(last=False)
        return out

    def refund(self, keys: list[str], policy: Policy, now_us: int) -> None:
        for key, window in zip(keys, policy.windows, strict=True):
            tat = self._tats.get(key)
            if tat is None:
                continue
            tat -= window.interval_us
            if tat <= now_us:
                del self._tats[key]
            else:
                self._tats[key] = tat


class RateLimiter:
    def __init__(self, redis: Redis, prefix: str = "rl") -> None:
        self.redis = redis
        self.prefix = prefix
        self.local = LocalBuckets()
        self._script = redis.register_script(_GCRA)
        self._refund = redis.register_script(_REFUND)
        self._warned_at = 0.0

    async def hit(
        self, subject: str, policy: Policy, *, company: str | None = None, consume: bool = True
    ) -> Decision:
        """Count one request of `subject` against `policy` and say whether it may proceed.

        Windows counted per company use the `company` subject (`company:{id}`) when given, the
        caller's own otherwise. With `consume=False` nothing is counted: the decision says
        whether one more would pass.
        """
        keys = self._keys(subject, policy, company)
        args: list[int] = []
        for window in policy.windows:
            args += [window.interval_us, window.capacity]
        args.append(int(consume))
        try:
            raw = await self._script(keys=keys, args=args)
        except (RedisError, OSError) as exc:
            self._warn(exc)
            now_us = time.time_ns() // 1000
            return _decide(policy, self.local.run(keys, policy, now_us, consume=consume), True)
        return _decide(policy, [int(x) for x in raw], False)

    async def refund(self, subject: str, policy: Policy, *, company: str | None = None) -> bool:
        """Give back one request counted by `hit` that turned out not to count.

        False when Redis is unreachable (the process-local buckets are refunded instead).
        """
        keys = self._keys(subject, policy, company)
        try:
            await self._refund(keys=keys, args=[w.interval_us for w in policy.windows])
        except (RedisError, OSError) as exc:
            self._warn(exc)
            self.local.refund(keys, policy, time.time_ns() // 1000)
            return False
        return True

    def _keys(self, subject: str, policy: Policy, company: str | None) -> list[str]:
        return [
            f"{self.prefix}:{company if w.per == COMPANY and company else subject}:{w.name}"
            for w in policy.windows
        ]

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at > 60:
            self._warned_at = now
            log.warning("rate limiter: Redis unreachable (%s); limiting per process", exc)


RATE_LIMITER = StateKey("rate_limiter", RateLimiter)
