"""Shared state: one interface for what several clients, threads or processes must agree on.

Three things need it: the rate limiter (a request and token budget per minute, and the pauses a host asks
for), the circuit breakers of a ``Fallback``, and the response cache. Each reaches its state through a
``StateBackend``:

* ``MemoryState`` (the default wherever a backend is optional): one process, a dict behind a lock. Give one
  instance to several hosts and they share one budget.
* ``RedisState`` (``rehost.shared.io.state_redis``, the optional ``redis`` extra): every process and machine
  that names the same Redis and the same key shares it. The limiter's step is one Lua script (GCRA over the
  request and token lanes, and the shared pause), so there is no read-modify-write race between processes.

A backend that cannot be reached raises ``StateUnavailable``; the users of a backend catch it and fall back
to what they can do alone (the limiter to its local limits, the breaker to its own view, the cache to a
miss), with a logged warning: an outage never turns into "no limit", nor into a failed call.

The limiter's algorithm is GCRA (a leaky bucket as virtual time): a lane keeps the time at which everything
taken so far will have drained (its TAT); a caller taking ``amount`` moves it by ``amount * interval`` and
waits until the TAT, less the lane's ``capacity`` (its burst allowance, in seconds), has come. A call takes
every lane at once or none of them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import RehostError

__all__ = ["Lane", "MemoryState", "Reservation", "StateBackend", "StateUnavailable"]


class StateUnavailable(RehostError):
    """The shared-state backend could not be reached (Redis down, a timeout): the caller falls back to its
    local state. Never raised out of a model call."""


@dataclass(frozen=True, slots=True)
class Lane:
    """One budget of a rate limit: ``interval`` seconds per unit, ``capacity`` seconds of burst, and the
    ``amount`` of units this call takes (1 for a request, its estimated tokens for a tokens lane)."""

    name: str
    interval: float
    capacity: float
    amount: float


@dataclass(frozen=True, slots=True)
class Reservation:
    """What a limiter step got: ``wait`` seconds before going (None: nothing taken, since the wait would have
    been longer than the caller's ``within``), and how long the shared pause still runs."""

    wait: float | None
    paused_for: float


class StateBackend:
    """The interface. Keys are plain strings; each backend adds its own prefix. Sync methods are the
    primitives; the async twins default to them (right for a backend that does no I/O)."""

    name: str = "state"
    #: whether ``reserve`` / ``pause`` work here (a records-only backend, such as SQLite, has none)
    supports_limits: bool = True

    # -- rate limits --------------------------------------------------------------------------------------
    def reserve(self, key: str, lanes: Sequence[Lane], within: float | None = None) -> Reservation:
        """Take every lane's amount under ``key`` (all or nothing), honouring the key's pause."""
        raise NotImplementedError

    def pause(self, key: str, seconds: float) -> None:
        """Hold every caller of ``key`` back for ``seconds`` (extending a pause, never shortening one)."""
        raise NotImplementedError

    def paused_for(self, key: str) -> float:
        raise NotImplementedError

    # -- records (breakers, cache entries) ----------------------------------------------------------------
    def get(self, key: str) -> bytes | None:
        raise NotImplementedError

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    # -- async twins --------------------------------------------------------------------------------------
    async def areserve(self, key: str, lanes: Sequence[Lane], within: float | None = None) -> Reservation:
        return self.reserve(key, lanes, within)

    async def apause(self, key: str, seconds: float) -> None:
        self.pause(key, seconds)

    async def aget(self, key: str) -> bytes | None:
        return self.get(key)

    async def aset(self, key: str, value: bytes, ttl: float | None = None) -> None:
        self.set(key, value, ttl)

    def close(self) -> None:
        """Let go of connections (a no-op for memory)."""

    async def aclose(self) -> None:
        self.close()


class MemoryState(StateBackend):
    """Process-local state: a dict behind a lock, on the monotonic clock. Expired records are dropped
    when read, and swept when the dict grows."""

    name = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tats: dict[str, float] = {}
        self._pauses: dict[str, float] = {}
        self._records: dict[str, tuple[bytes, float | None]] = {}

    def __repr__(self) -> str:
        return f"MemoryState({len(self._records)} records, {len(self._tats)} lanes)"

    def reserve(self, key: str, lanes: Sequence[Lane], within: float | None = None) -> Reservation:
        with self._lock:
            now = time.monotonic()
            paused = max(0.0, self._pauses.get(key, 0.0) - now)
            start = now + paused
            wait = paused
            moved: list[tuple[str, float]] = []
            for lane in lanes:
                lane_key = f"{key}:{lane.name}"
                tat = max(self._tats.get(lane_key, 0.0), start) + lane.amount * lane.interval
                wait = max(wait, tat - lane.capacity - now)
                moved.append((lane_key, tat))
            if within is not None and wait > within:
                return Reservation(None, paused)
            self._tats.update(moved)
            return Reservation(wait, paused)

    def pause(self, key: str, seconds: float) -> None:
        with self._lock:
            until = time.monotonic() + max(0.0, seconds)
            self._pauses[key] = max(self._pauses.get(key, 0.0), until)

    def paused_for(self, key: str) -> float:
        with self._lock:
            return max(0.0, self._pauses.get(key, 0.0) - time.monotonic())

    def get(self, key: str) -> bytes | None:
        with self._lock:
            entry = self._records.get(key)
            if entry is None:
                return None
            if entry[1] is not None and entry[1] <= time.monotonic():
                del self._records[key]
                return None
            return entry[0]

    def set(self, key: str, value: bytes, ttl: float | None = None) -> None:
        with self._lock:
            now = time.monotonic()
            if len(self._records) >= 4096 and len(self._records) % 1024 == 0:
                for k in [k for k, (_, exp) in self._records.items() if exp is not None and exp <= now]:
                    del self._records[k]
            self._records[key] = (value, None if ttl is None else now + ttl)

    def delete(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)
