"""Polling a long-running job (a video render, a batch transcription): submit once, then ask for its status
until it is done, the deadline passes, or the host loses it.

``PollPlan`` makes every decision and does no I/O: how long to wait before the next poll (the host's own
suggestion when it gives one, else a backoff from ``first_interval`` growing by ``multiplier`` up to
``max_interval``, with a little jitter so many jobs do not poll in step), whether a failed poll is tried again
(transient errors are, up to ``max_poll_errors`` in a row, and never by resubmitting: a resubmission would be
billed again), that a 404 on a poll means the job is lost (``JobLost``), and when the deadline (seconds from
submission) has passed (``RequestTimeout``). Its clock and randomness are injectable, so tests run it with a
fake clock and no real sleeping.

``poll_until_done`` / ``apoll_until_done`` are the thin sync / async shells: they call the host's ``poll()``
(which returns a ``JobStatus``), sleep as the plan says, and return the finished job's result. A job the host
reports failed is the host's typed error, raised by ``poll()`` itself and not retried unless it is retryable.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..checks import check_number
from ..errors import ConfigurationError, JobLost, NotFound, RehostError, RequestTimeout

__all__ = ["JobStatus", "PollPlan", "PollPolicy", "apoll_until_done", "poll_until_done"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class JobStatus(Generic[T]):
    """One poll's answer: ``done`` with its ``result``, or still running (``retry_after``: the host's own
    suggestion of when to ask again, in seconds; ``progress``: 0..1 when the host says)."""

    done: bool
    result: T | None = None
    retry_after: float | None = None
    progress: float | None = None


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often to poll: from ``first_interval`` seconds, each wait ``multiplier`` times the last, at most
    ``max_interval``; ``jitter`` is the fraction a wait may be shortened at random; a host's suggestion is
    obeyed between ``min_interval`` and ``max_interval``. ``max_poll_errors`` transient poll failures in a row
    end the wait."""

    first_interval: float = 1.5
    multiplier: float = 1.5
    max_interval: float = 15.0
    min_interval: float = 0.2
    jitter: float = 0.2
    max_poll_errors: int = 5

    def __post_init__(self) -> None:
        for name in ("first_interval", "max_interval", "min_interval"):
            check_number(getattr(self, name), f"PollPolicy({name}=...)", name=name, above=False,
                         expected="a number of seconds, 0 or more")
        check_number(self.multiplier, "PollPolicy(multiplier=...)", name="multiplier", minimum=1.0, above=False,
                     expected="a number of at least 1")
        check_number(self.jitter, "PollPolicy(jitter=...)", name="jitter", above=False,
                     expected="a fraction from 0 up to (not including) 1")
        if self.jitter >= 1.0:
            raise ConfigurationError(f"PollPolicy(jitter=...) must be a fraction below 1, not {self.jitter!r}")
        check_number(self.max_poll_errors, "PollPolicy(max_poll_errors=...)", name="max_poll_errors", whole=True,
                     above=False, expected="a whole number, 0 or more")


class PollPlan:
    """The decisions of waiting for one job, no I/O. ``submitted_at`` is the submission's time on ``clock``;
    ``deadline`` is how many seconds after it the caller gives up (None: never)."""

    def __init__(self, *, host: str, job_id: str, submitted_at: float | None = None, deadline: float | None = None,
                 policy: PollPolicy | None = None, clock: Callable[[], float] = time.monotonic,
                 rng: Callable[[], float] = random.random) -> None:
        check_number(deadline, "PollPlan(deadline=...)", name="deadline", optional=True,
                     expected="a number of seconds after submission, or None")
        self.host = host
        self.job_id = job_id
        self.policy = policy or PollPolicy()
        self.clock = clock
        self.rng = rng
        self.submitted_at = clock() if submitted_at is None else submitted_at
        self.deadline = deadline
        self.polls = 0
        self.errors_in_a_row = 0
        self._interval = self.policy.first_interval

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        if self.deadline is None:
            return None
        return self.submitted_at + self.deadline - self.clock()

    def _timeout(self) -> RequestTimeout:
        return RequestTimeout(f"job {self.job_id} on {self.host} was not done {self.deadline:g}s after it was "
                              f"submitted ({self.polls} polls)", host=self.host)

    def _bounded(self, wait: float) -> float:
        """``wait``, or what is left of the deadline if less; RequestTimeout when nothing is left."""
        left = self.remaining()
        if left is not None:
            if left <= 0:
                raise self._timeout()
            wait = min(wait, left)
        return wait

    def first_wait(self) -> float:
        """How long to wait after submitting before the first poll (a job is never done at once)."""
        return self._bounded(self._jittered(self.policy.first_interval))

    def _jittered(self, wait: float) -> float:
        return wait * (1.0 - self.policy.jitter * self.rng())

    def pending(self, status: JobStatus[Any]) -> float:
        """After a poll that says the job is still running: the wait before the next poll."""
        self.polls += 1
        self.errors_in_a_row = 0
        policy = self.policy
        if status.retry_after is not None:
            wait = min(max(status.retry_after, policy.min_interval), policy.max_interval)
        else:
            wait = self._jittered(self._interval)
            self._interval = min(policy.max_interval, self._interval * policy.multiplier)
        return self._bounded(wait)

    def poll_failed(self, err: RehostError) -> float:
        """After a poll that failed: the wait before polling again, or the error to raise (raised here): a
        404 is ``JobLost``, a non-retryable error is itself, and so is the last of too many in a row."""
        self.polls += 1
        if isinstance(err, NotFound) and not isinstance(err, JobLost):
            lost = JobLost(f"job {self.job_id} is gone from {self.host} (its status poll answered 404); it "
                           "was not resubmitted", host=err.host or self.host, status=err.status,
                           request_id=err.request_id, body=err.body, job_id=self.job_id)
            raise lost from err
        self.errors_in_a_row += 1
        if not err.retryable or self.errors_in_a_row > self.policy.max_poll_errors:
            raise err
        wait = err.retry_after if err.retry_after is not None else self._jittered(self._interval)
        return self._bounded(max(0.0, wait))


def poll_until_done(poll: Callable[[], JobStatus[T]], plan: PollPlan, *,
                    sleep: Callable[[float], Any] = time.sleep) -> T | None:
    """Wait for a submitted job: poll as ``plan`` says until ``poll()`` reports it done; its result."""
    sleep(plan.first_wait())
    while True:
        try:
            status = poll()
        except RehostError as err:
            sleep(plan.poll_failed(err))
            continue
        if status.done:
            return status.result
        sleep(plan.pending(status))


async def apoll_until_done(poll: Callable[[], Awaitable[JobStatus[T]]], plan: PollPlan, *,
                           sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> T | None:
    """The async twin of ``poll_until_done``."""
    await sleep(plan.first_wait())
    while True:
        try:
            status = await poll()
        except RehostError as err:
            await sleep(plan.poll_failed(err))
            continue
        if status.done:
            return status.result
        await sleep(plan.pending(status))
