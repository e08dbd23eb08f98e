"""RedisState: the shared-state backend on Redis (redis-py, the optional ``redis`` extra).

    from rehost import Groq, RateLimit
    from rehost.shared.io.state_redis import RedisState

    shared = RedisState("redis://cache.internal:6379/0")
    groq = Groq(rate_limit=RateLimit(requests_per_minute=120, state=shared, key="groq-team"))

Every process that names the same Redis and key shares the budget. The limiter's step is one Lua script run
atomically by Redis on Redis's own clock (``TIME``), so processes on machines whose clocks disagree still
agree; the pause a host asked for (``Retry-After``, a spent ``x-ratelimit-*``) is a key of its own that the
script reads.

Failure: any Redis error or timeout (``timeout`` seconds, default 0.5, for connecting and for each command)
raises ``StateUnavailable`` and marks the backend down for ``recheck`` seconds, during which calls do not
try Redis at all (so an outage costs one timeout, not one per call); the first failure of an outage is
logged as a warning, the recovery as info. The callers fall back to local state meanwhile.

Async calls use ``redis.asyncio``, one client per event loop (a redis-py async client belongs to the loop it
was made on).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

from ..errors import ConfigurationError
from .state import Lane, Reservation, StateBackend, StateUnavailable

__all__ = ["RedisState"]

log = logging.getLogger("rehost.state")

#: KEYS[1] the pause key, KEYS[2..] one per lane; ARGV[1] within (ms, -1: no bound), then per lane its
#: interval (ms per unit), capacity (ms) and amount. Returns {wait ms or "-1", pause left ms}.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local within = tonumber(ARGV[1])
local paused = math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now)
local start = now + paused
local wait = paused
local news = {}
for i = 2, #KEYS do
  local base = 2 + (i - 2) * 3
  local interval, cap, amount = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  if tat < start then tat = start end
  local new = tat + amount * interval
  if new - cap - now > wait then wait = new - cap - now end
  news[i] = new
end
if within >= 0 and wait > within then
  return {'-1', string.format('%.3f', paused)}
end
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], string.format('%.3f', news[i]), 'PX', math.ceil(news[i] - now) + 60000)
end
return {string.format('%.3f', wait), string.format('%.3f', paused)}
"""

#: KEYS[1] the pause key; ARGV[1] ms to pause. Extends, never shortens.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local untilv = now + tonumber(ARGV[1])
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilv > old then
  redis.call('SET', KEYS[1], string.format('%.3f', untilv), 'PX', math.ceil(untilv - now) + 1000)
end
return string.format('%.3f', math.max(untilv, old) - now)
"""

#: KEYS[1] the pause key. Returns the ms left of the pause.
_PAUSED = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
return string.format('%.3f', math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now))
"""


def _redis() -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigurationError("RedisState needs redis-py: pip install 'rehost[redis]'") from None
    return redis


class RedisState(StateBackend):
    """Shared state in Redis. ``url``: a redis:// URL (its password is never shown); ``client``: an existing
    ``redis.Redis`` to use instead (sync calls only then, unless ``async_client`` is given too)."""

    name = "redis"

    def __init__(self, url: str = "redis://localhost:6379/0", *, prefix: str = "rehost:", timeout: float = 0.5,
                 recheck: float = 1.0, client: Any = None, async_client: Any = None) -> None:
        redis = _redis()
        self.url = url
        self.prefix = prefix
        self.timeout = timeout
        self.recheck = recheck
        self._client = client or redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._given_async = async_client
        self._aclients: dict[int, tuple[asyncio.AbstractEventLoop, Any, dict[str, Any]]] = {}
        self._scripts = {name: self._client.register_script(src) for name, src in
                         (("reserve", _RESERVE), ("pause", _PAUSE), ("paused", _PAUSED))}
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._down_until = 0.0
        self._down = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        from .call import public_url

        return f"RedisState({public_url(self.url)!r}, prefix={self.prefix!r}{', down' if self._down else ''})"

    # -- health -------------------------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        """False while the backend is marked down after a failure (for ``recheck`` seconds)."""
        return time.monotonic() >= self._down_until

    def _check(self) -> None:
        if not self.available:
            raise StateUnavailable(f"Redis at {self._public()} is unreachable (rechecking shortly)")

    def _failed(self, exc: BaseException) -> StateUnavailable:
        with self._lock:
            self._down_until = time.monotonic() + self.recheck
            first = not self._down
            self._down = True
        if first:
            log.warning("rehost: shared state at %s is unreachable (%s: %s); falling back to local limits, "
                        "breakers and cache until it is back", self._public(), type(exc).__name__, exc)
        return StateUnavailable(f"Redis at {self._public()} is unreachable: {type(exc).__name__}")

    def _ok(self) -> None:
        if self._down:
            with self._lock:
                if self._down:
                    self._down = False
                    log.info("rehost: shared state at %s is reachable again", self._public())

    def _public(self) -> str:
        from .call import public_url

        return public_url(self.url)

    def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self._check()
        try:
            result = fn(*args, **kwargs)
        except self._errors as exc:
            raise self._failed(exc) from exc
        self._ok()
        return result

    async def _arun(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        self._check()
        try:
            result = await fn(*args, **kwargs)
        except self._errors as exc:
            raise self._failed(exc) from exc
        self._ok()
        return result

    # -- the wire form ------------------------------------------------------------------------------------
    def _reserve_args(self, key: str, lanes: Sequence[Lane],
                      within: float | None) -> tuple[list[str], list[str]]:
        keys = [f"{self.prefix}rl:{key}:pause", *(f"{self.prefix}rl:{key}:{lane.name}" for lane in lanes)]
        args = ["-1" if within is None else f"{within * 1000:.3f}"]
        for lane in lanes:
            args += [f"{lane.interval * 1000:.6f}", f"{lane.capacity * 1000:.3f}", f"{lane.amount:.3f}"]
        return keys, args

    @staticmethod
    def _reservation(raw: Sequence[Any]) -> Reservation:
        wait, paused = float(raw[0]), float(raw[1]) / 1000
        return Reservation(None if wait < 0 else wait / 1000, paused)

    def _rec(self, key: str) -> str:
        return f"{self.prefix}{key}"

    # -- sync -----------------------------------------------------------------------------------------------
    def reserve(self, key: str, lanes: Sequence[Lane], within: float | None = None) -> Reservation:
        keys, args = self._reserve_args(key, lanes, within)
        return self._reservation(self._run(self._scripts["reserve"], keys=keys, args=args))

    def pause(self, key: str, seconds: float) -> None:
        self._run(self._scripts["pause"], keys=[f"{self.prefix}rl:{key}:pause"],
                  args=[f"{max(0.0, seconds) * 1000:.3f}"])

    def paused_for(self, key: str) -> float:
        return float(self._run(self._scripts["paused"], keys=[f"{self.prefix}rl:{key}:pause"])) / 1000

    def get(self, key: str) -> bytes | None:
        value = self._run(self._client.get, self._rec(key))
        return None if value is None else bytes(value)

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        px = None if ttl is None else max(1, int(ttl * 1000))
        self._run(self._client.set, self._rec(key), value, px=px)

    def delete(self, key: str) -> None:
        self._run(self._client.delete, self._rec(key))

    # -- async ----------------------------------------------------------------------------------------------
    def _async(self) -> tuple[Any, dict[str, Any]]:
        loop = asyncio.get_running_loop()
        entry = self._aclients.get(id(loop))
        if entry is None or entry[0] is not loop:
            for k, (old, _, _) in list(self._aclients.items()):
                if old.is_closed():
                    del self._aclients[k]
            if self._given_async is not None:
                client = self._given_async
            else:
                import redis.asyncio as aredis

                client = aredis.Redis.from_url(self.url, socket_timeout=self.timeout,
                                               socket_connect_timeout=self.timeout)
            scripts = {name: client.register_script(src) for name, src in
                       (("reserve", _RESERVE), ("pause", _PAUSE))}
            entry = (loop, client, scripts)
            self._aclients[id(loop)] = entry
        return entry[1], entry[2]

    async def areserve(self, key: str, lanes: Sequence[Lane], within: float | None = None) -> Reservation:
        _, scripts = self._async()
        keys, args = self._reserve_args(key, lanes, within)
        return self._reservation(await self._arun(scripts["reserve"], keys=keys, args=args))

    async def apause(self, key: str, seconds: float) -> None:
        _, scripts = self._async()
        await self._arun(scripts["pause"], keys=[f"{self.prefix}rl:{key}:pause"],
                         args=[f"{max(0.0, seconds) * 1000:.3f}"])

    async def aget(self, key: str) -> bytes | None:
        client, _ = self._async()
        value = await self._arun(client.get, self._rec(key))
        return None if value is None else bytes(value)

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        client, _ = self._async()
        px = None if ttl is None else max(1, int(ttl * 1000))
        await self._arun(client.set, self._rec(key), value, px=px)

    # -- lifecycle ------------------------------------------------------------------------------------------
    def close(self) -> None:
        self._client.close()

    async def aclose(self) -> None:
        entry = self._aclients.pop(id(asyncio.get_running_loop()), None)
        if entry is not None:
            await entry[1].aclose()
        self.close()
