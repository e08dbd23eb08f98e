"""The retry plan: every decision of one HTTP exchange in one place, doing no I/O.

Retries follow one policy: exponential backoff with full jitter, honouring the host's ``Retry-After`` (or the
wait the error body names), only for errors that a retry can fix, and never for a stream once its first byte
has been handed to the caller: the transport retries until it holds a successful response, then steps aside.
``RetryPlan.steps()`` yields what to do next (``Send``, ``Pace``, ``Sleep``); the shells
(``rehost.shared.io.http``) do it and report back (``succeeded`` / ``failed`` / ``lost``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeAlias

import httpx

from ..errors import ConfigurationError, ConnectionFailed, RateLimited, RehostError, RequestTimeout
from .call import HttpCall, RetryPolicy, Timeouts, _Deadline, log
from .observe import notify_retry
from .ratelimit import RateLimiter

__all__ = [
    "Pace",
    "RetryPlan",
    "Send",
    "Sleep",
    "Step",
]

# ---------------------------------------------------------------------------------------------- the retry plan


@dataclass(frozen=True, slots=True)
class Send:
    """Send the request (attempt ``attempt``, counted from 0) with these httpx timeouts."""

    attempt: int
    timeout: httpx.Timeout


@dataclass(frozen=True, slots=True)
class Pace:
    """Take a place from the provider's rate limiter (``tokens`` of a tokens-per-minute budget), waiting at
    most ``within`` seconds (None: as long as it takes); a place not given in time ends the call."""

    tokens: int
    within: float | None


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many seconds (a backoff, or a pause the host asked for)."""

    seconds: float


Step: TypeAlias = Send | Pace | Sleep

#: the httpx timeout classes, by the limit each one says ran out
_TIMEOUT_KINDS: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "connect", httpx.ReadTimeout: "read", httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}


class RetryPlan:
    """Every decision about one call's attempts, and no I/O: when to send, with which timeouts, when to wait
    and for how long, when to give up and with which error.

    The four shells of ``Transport`` (``request``, ``stream``, ``arequest``, ``astream``) drive it the same
    way: ``steps()`` yields a ``Pace`` (take a place from the rate limiter), a ``Send`` or a ``Sleep``; the
    shell does it, sync or async, and reports what came of a ``Send`` with ``succeeded`` / ``failed`` /
    ``lost``; the plan raises the error the call ends with. So the total deadline, ``Retry-After`` and
    ``max_retry_after``, the rate limiter's pause and the pool's wait mean the same in all four (they had
    drifted apart when each shell carried its own loop: only sync ``request`` checked the deadline).

    The total deadline bounds everything up to a held response: for a whole answer, reading its body too;
    for a stream, its opening (the silence between its chunks is ``stream_idle``'s). A timeout that ran out
    because the deadline capped it, or a failure a retry could fix that came after the deadline, ends the
    call with ``RequestTimeout`` ("total timeout"); a definitive answer (a 400, a 401) is raised as it is;
    a wait the deadline cannot fit raises the error that asked for it."""

    __slots__ = ("_error", "_fired", "_ok", "_sent_with", "attempt", "call", "deadline", "host", "limiter",
                 "policy", "timeouts", "total")

    def __init__(self, *, host: str, call: HttpCall, timeouts: Timeouts, policy: RetryPolicy,
                 limiter: RateLimiter | None, total: float | None) -> None:
        self.host = host
        self.call = call
        self.timeouts = timeouts
        self.policy = policy
        self.limiter = limiter
        self.total = total
        self.deadline = _Deadline(total)
        self.attempt = 0
        self._error: RehostError | None = None
        self._ok = False
        self._fired: str | None = None  # the httpx limit that ran out in the last attempt
        self._sent_with: float | None = None  # seconds left of the deadline when the last attempt was sent

    # -------------------------------------------------------------------------------------- the steps
    def steps(self) -> Iterator[Step]:
        while True:
            yield from self._pace()
            remaining = self.deadline.remaining()
            if remaining is not None and remaining <= 0:
                raise self.out_of_time(self._error)
            self._error, self._ok, self._fired, self._sent_with = None, False, None, remaining
            yield Send(self.attempt, self.timeouts.for_httpx(stream=self.call.stream, remaining=remaining))
            if self._ok:
                return
            err = self._error
            if err is None:
                raise RuntimeError("the transport sent an attempt and reported no outcome")
            delay = self._delay_after(err)
            notify_retry(self.host, self.attempt + 1, err, delay)  # the client call's hooks and span hear of it
            if delay > 0:
                yield Sleep(delay)
            self.attempt += 1

    def _pace(self) -> Iterator[Step]:
        limiter = self.limiter
        if limiter is None:
            return
        pause = limiter.paused_for
        if pause > 0:
            remaining = self.deadline.remaining()
            if pause > self.policy.max_retry_after or (remaining is not None and pause >= remaining):
                raise RateLimited(
                    f"every call to {self.host} is held back for {pause:.3g}s more (the host said its rate limit "
                    "was reached), longer than this call may wait: try again later, or allow a longer timeout "
                    "or max_retry_after", host=self.host, retry_after=pause)
            yield Sleep(pause)
        tokens = self.call.token_cost() if limiter.limit.tokens_per_minute else 0
        yield Pace(tokens, self.deadline.remaining())

    def _delay_after(self, err: RehostError) -> float:
        """Seconds to wait before the next attempt; raises when the call must end with ``err`` (or a total
        timeout) now. A definitive answer (an error no retry can fix) is raised as it is, even past the
        deadline: it says more than "total timeout" would."""
        if not err.retryable:
            raise err
        if self.deadline.expired() or self._capped_by_deadline():
            raise self.out_of_time(err)
        policy = self.policy
        if self.attempt >= policy.max_retries:
            raise err
        if err.retry_after is not None and err.retry_after > policy.max_retry_after:
            raise err
        delay = policy.delay(self.attempt, err.retry_after)
        remaining = self.deadline.remaining()
        if remaining is not None and delay >= remaining:
            raise err
        log.debug("%s: retry %d in %.2fs after %s", self.host, self.attempt + 1, delay, type(err).__name__)
        return delay

    def _capped_by_deadline(self) -> bool:
        """Whether the limit that ran out in the last attempt was the deadline's, not the setting's."""
        if self._fired is None or self._sent_with is None:
            return False
        t = self.timeouts
        read = t.stream_idle if (self.call.stream and t.stream_idle is not None) else t.read
        limit = {"connect": t.connect, "read": read, "write": t.write, "pool": t.pool}[self._fired]
        return limit > self._sent_with

    # -------------------------------------------------------------------------------------- outcomes
    def succeeded(self, headers: httpx.Headers) -> None:
        """The attempt holds a successful response."""
        self._ok = True
        if self.limiter is not None:
            self.limiter.observe(headers)

    def failed(self, err: RehostError, headers: httpx.Headers | None = None) -> None:
        """The host answered the attempt with an error (``err``, from the provider's error mapper)."""
        self._error = self.call.redact(err)  # a host may quote a caller's own auth header back
        if self.limiter is not None and headers is not None:
            self.limiter.observe(headers)
            if isinstance(err, RateLimited) and err.retry_after is not None:
                self.limiter.pause(err.retry_after)  # every call through this provider waits, not just this one

    def lost(self, exc: httpx.HTTPError) -> None:
        """The exchange itself failed (connect, read, write, pool, protocol)."""
        if isinstance(exc, httpx.TimeoutException):
            kind = next((k for cls, k in _TIMEOUT_KINDS.items() if isinstance(exc, cls)), None)
            self._fired = kind
            self.failed(RequestTimeout(f"{kind or 'request'} timeout talking to {self.host}", host=self.host))
            return
        if isinstance(exc, httpx.LocalProtocolError | httpx.UnsupportedProtocol):
            # the request could not be sent as built (h11 refused a header, the URL's scheme is not HTTP):
            # nothing went out and sending it again would fail the same way
            self.failed(ConfigurationError(f"{self.host}: the request could not be sent: {type(exc).__name__}: "
                                           f"{exc}", host=self.host))
            return
        self.failed(ConnectionFailed(f"connection to {self.host} failed: {type(exc).__name__}: {exc}",
                                     host=self.host))

    # -------------------------------------------------------------------------------------- the deadline
    def remaining(self) -> float | None:
        return self.deadline.remaining()

    def expired(self) -> bool:
        return self.deadline.expired()

    def out_of_time(self, cause: RehostError | None = None) -> RequestTimeout:
        """The error of a call whose total deadline ran out."""
        total = f" ({self.total:g}s)" if self.total is not None else ""
        tries = f" after {self.attempt + 1} attempt(s)" if cause is not None else ""
        err = RequestTimeout(f"total timeout talking to {self.host}{total}{tries}", host=self.host)
        err.__cause__ = cause
        return err
