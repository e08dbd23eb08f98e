"""The polling plan every long-running job waits by (video today), and its sync and async shells.

A job API answers a submit with an id and is then asked, again and again, how the job is doing. Every
decision about that asking lives in ``PollPlan`` and nothing else: how long to wait before the next poll
(the host's own suggestion when it gives one, else a backoff from ``PollPolicy.initial`` growing to
``PollPolicy.max_interval``, with jitter so a thousand waiting scripts do not poll in step), when the
overall deadline has passed (``JobTimeout``, a ``RequestTimeout`` that keeps the job id so the job can be
collected later), which poll errors are transient (rate limits, 5xx, dropped connections: polled again at
the next interval, never resubmitted) and which end the wait (a 404: the host has lost the job,
``JobLost``; anything else no retry can fix, as it is).

The plan reads time only from the ``Clock`` it is given, and the shells sleep only through it, so a test
(or a simulation) gives a ``ManualClock`` and never sleeps for real polling intervals.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from ..errors import ConfigurationError, HostError, NotFound, RehostError, RequestTimeout

__all__ = ["Clock", "JobFailed", "JobLost", "JobTimeout", "ManualClock", "PollPlan", "PollPolicy", "SYSTEM_CLOCK",
           "SystemClock", "apoll_until_done", "poll_until_done"]

T = TypeVar("T")


# ---------------------------------------------------------------------------------------------- errors


class JobLost(NotFound):
    """The host no longer knows the job (404 on a poll): it expired, was purged, or the id is wrong.
    ``job_id`` names it."""

    job_id: str | None = None


class JobTimeout(RequestTimeout):
    """The wait for a job ran past its deadline. The job itself may still be running: ``job_id`` (and
    ``job``, the ``Job`` when the wait had one) let a later call collect it."""

    job_id: str | None = None
    job: object | None = None


class JobFailed(HostError):
    """The host ran the job and reports that it failed (its reason in ``message`` and ``code``)."""

    job_id: str | None = None


# ---------------------------------------------------------------------------------------------- clocks


class Clock(Protocol):
    """Where a plan reads the time and a shell waits: wall-clock seconds (a job's submit time is written
    down and read again by another process, so monotonic time would not do)."""

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
    """A clock that moves only when slept on (or ``advance``d): waiting costs no real time. Thread-safe, so
    an emulator in another thread can read the same time as the test that drives it."""

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


# ---------------------------------------------------------------------------------------------- the policy


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How patiently to poll. The defaults follow Runware's advice (start backing off at 1-2 s) and stay
    gentle on every host: 1.5 s, x1.5 a poll, at most 15 s between polls."""

    initial: float = 1.5
    multiplier: float = 1.5
    max_interval: float = 15.0
    #: each wait is moved by up to this fraction of itself, at random, either way
    jitter: float = 0.1
    #: transient poll errors in a row before the wait gives up with the last of them
    max_poll_errors: int = 5
    #: the longest wait a host's suggestion (or a Retry-After) may ask for between polls
    max_suggested: float = 120.0

    def __post_init__(self) -> None:
        for name in ("initial", "multiplier", "max_interval", "jitter", "max_suggested"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ConfigurationError(f"PollPolicy({name}=...) must be a finite number >= 0, not {value!r}")
        if self.multiplier < 1:
            raise ConfigurationError(f"PollPolicy(multiplier=...) must be at least 1, not {self.multiplier!r}")
        if self.jitter >= 1:
            raise ConfigurationError(f"PollPolicy(jitter=...) is a fraction below 1, not {self.jitter!r}")
        if self.max_interval < self.initial:
            raise ConfigurationError(f"PollPolicy(max_interval={self.max_interval!r}) is shorter than "
                                     f"initial={self.initial!r}")
        if isinstance(self.max_poll_errors, bool) or not isinstance(self.max_poll_errors, int) \
                or self.max_poll_errors < 0:
            raise ConfigurationError(f"PollPolicy(max_poll_errors=...) must be a whole number >= 0, not "
                                     f"{self.max_poll_errors!r}")


def check_deadline(timeout: float | None) -> None:
    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not math.isfinite(timeout) \
            or timeout <= 0:
        raise ConfigurationError(f"a job's wait timeout must be a number of seconds > 0 (or None: no limit), "
                                 f"not {timeout!r}")


# ---------------------------------------------------------------------------------------------- the plan


class PollPlan:
    """Every decision of one wait for one job, and no I/O: call ``next_wait()`` for how long to sleep before
    the next poll, then report the poll's outcome with ``observed`` or ``failed`` (which raise when the wait
    must end). ``deadline`` is an absolute time on ``clock`` (None: no limit)."""

    __slots__ = ("_errors", "_polls", "_rng", "_suggested", "clock", "deadline", "host", "job_id", "policy",
                 "started")

    def __init__(self, *, job_id: str, host: str, clock: Clock, policy: PollPolicy | None = None,
                 timeout: float | None = None, rng: random.Random | None = None) -> None:
        check_deadline(timeout)
        self.job_id = job_id
        self.host = host
        self.clock = clock
        self.policy = policy or PollPolicy()
        self.started = clock.now()
        self.deadline = None if timeout is None else self.started + timeout
        self._rng = rng or random.Random()
        self._polls = 0
        self._errors = 0
        self._suggested: float | None = None

    # -------------------------------------------------------------------------------------- decisions
    def backoff(self, polls: int) -> float:
        """The wait after the ``polls``-th poll, before jitter, when the host suggests none."""
        p = self.policy
        return min(p.max_interval, p.initial * p.multiplier ** max(0, polls - 1))

    def next_wait(self) -> float:
        """Seconds to sleep before the next poll; raises ``JobTimeout`` when the deadline leaves no room."""
        p = self.policy
        if self._suggested is not None:
            wait = min(self._suggested, p.max_suggested)
        else:
            wait = self.backoff(self._polls)
            if p.jitter:
                wait *= 1 + self._rng.uniform(-p.jitter, p.jitter)
        if self.deadline is not None:
            left = self.deadline - self.clock.now()
            if left <= 0:
                raise self.out_of_time()
            wait = min(wait, left)  # poll once more, at the deadline itself, rather than give up early
        return max(0.0, wait)

    def observed(self, *, done: bool, suggested: float | None = None) -> None:
        """A poll answered (``done``: the job is over, one way or another); ``suggested`` is the host's own
        word on when to ask again. Raises ``JobTimeout`` when the job is still running past the deadline."""
        self._polls += 1
        self._errors = 0
        self._suggested = suggested if suggested is not None and suggested >= 0 else None
        if not done and self.deadline is not None and self.clock.now() >= self.deadline:
            raise self.out_of_time()

    def failed(self, err: RehostError) -> None:
        """A poll failed. A 404 is a lost job (``JobLost``); an error no retry can fix is raised as it is;
        a transient one is polled again at the next interval (``Retry-After`` when it says), up to
        ``max_poll_errors`` in a row. Never a reason to submit again: the job may well be running."""
        self._polls += 1
        if isinstance(err, NotFound):
            lost = JobLost(f"{self.host} no longer knows job {self.job_id} (HTTP 404 on a poll): it expired, "
                           "was deleted, or the id is not one of this host's", host=err.host or self.host,
                           status=err.status, request_id=err.request_id, code=err.code, body=err.body)
            lost.job_id = self.job_id
            raise lost from err
        if not err.retryable:
            raise err
        self._errors += 1
        if self._errors > self.policy.max_poll_errors:
            raise err
        self._suggested = err.retry_after
        if self.deadline is not None and self.clock.now() >= self.deadline:
            raise self.out_of_time(err)

    def out_of_time(self, cause: RehostError | None = None) -> JobTimeout:
        waited = self.clock.now() - self.started
        err = JobTimeout(f"job {self.job_id} on {self.host} was not finished after waiting {waited:.0f}s (the "
                         "wait's timeout); it may still be running: collect it later by its id "
                         "(Job.from_dict(job.to_dict()).wait())", host=self.host)
        err.job_id = self.job_id
        err.__cause__ = cause
        return err


# ---------------------------------------------------------------------------------------------- shells


def poll_until_done(plan: PollPlan, poll: Callable[[], T], is_done: Callable[[T], bool],
                    suggested: Callable[[T], float | None] = lambda _: None,
                    on_state: Callable[[T], None] | None = None) -> T:
    """Poll now, then at the plan's intervals, until ``is_done``; sleeps only through the plan's clock."""
    while True:
        try:
            state = poll()
        except RehostError as err:
            plan.failed(err)
        else:
            if on_state is not None:
                on_state(state)
            done = is_done(state)
            plan.observed(done=done, suggested=suggested(state))
            if done:
                return state
        plan.clock.sleep(plan.next_wait())


async def apoll_until_done(plan: PollPlan, poll: Callable[[], Awaitable[T]], is_done: Callable[[T], bool],
                           suggested: Callable[[T], float | None] = lambda _: None,
                           on_state: Callable[[T], None] | None = None) -> T:
    """The async twin of ``poll_until_done``."""
    while True:
        try:
            state = await poll()
        except RehostError as err:
            plan.failed(err)
        else:
            if on_state is not None:
                on_state(state)
            done = is_done(state)
            plan.observed(done=done, suggested=suggested(state))
            if done:
                return state
        await plan.clock.asleep(plan.next_wait())
