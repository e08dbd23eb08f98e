"""Clocks a job's wait reads the time from and sleeps through: the system's, or a ``ManualClock`` that moves
only when slept on, so tests (and simulations) never sleep for real polling intervals.

Wall-clock seconds, not monotonic: a job's submit time is written down by one process (``Job.to_dict``) and
read by another, where a monotonic clock would mean nothing. ``PollPlan`` takes ``clock.now`` and the
polling shells ``clock.sleep`` / ``clock.asleep``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Protocol

__all__ = ["SYSTEM_CLOCK", "Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    async def asleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()


class ManualClock:
    """A clock that moves only when slept on (or ``advance``d): waiting costs no real time. Thread-safe, so an
    emulator in another thread can read the same time as the test that drives it."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        #: every wait asked for, in order (what a test asserts the plan decided)
        self.slept: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"ManualClock(now={self.now():.3f})"
