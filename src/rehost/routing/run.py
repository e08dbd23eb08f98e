"""One call through a Fallback (``Run``): which member next, what came of each attempt, when to wait, when to
give up. It does no I/O: the Fallback's sync and async loops send what it plans and report back, so both
share every decision."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from ..shared.errors import (
    ConfigurationError,
    ContextWindowExceeded,
    MissingAPIKey,
    Overloaded,
    ProtocolError,
    RehostError,
    RequestTimeout,
)
from ..shared.io.observe import notify_attempt
from ..shared.request import Request
from ..shared.transport import RetryPolicy
from ..shared.types import Attempt, Completion
from .breaker import HostState

if TYPE_CHECKING:
    from .fallback import Fallback

__all__ = ["NO_RETRY", "Disposition", "Run", "Try", "sender"]

NO_RETRY = RetryPolicy(max_retries=0)
Disposition: TypeAlias = Literal["retry", "next", "fail"]


def sender(member: Any) -> Any:
    """The chat sender of a member: its ``endpoint("chat")`` where it hands out endpoints (a Host, LlamaCpp,
    a Fallback), else the member itself (an old Provider, or a sender of the caller's own)."""
    endpoint = getattr(member, "endpoint", None)
    return endpoint("chat") if callable(endpoint) else member


@dataclass(slots=True)
class Try:
    host: HostState
    prepared: Any  # the member's own prepared call


class Run:
    """One call through a Fallback: which host next, what came of each, when to wait, when to give up.

    ``steps()`` yields a ``Try`` to send or a float of seconds to wait; the caller does the I/O (sync or
    async) and reports back with ``succeeded`` / ``failed`` / ``abandoned``."""

    def __init__(self, fallback: Fallback, request: Request) -> None:
        self.fb = fallback
        self.request = request
        self.attempts: list[Attempt] = []
        self.sent = 0
        self.rounds = 0
        self.deadline = None if request.timeout is None else time.monotonic() + request.timeout
        self.last_error: RehostError | None = None
        self.config_error: ConfigurationError | None = None
        self.finished_with: set[int] = set()  # hosts not to try again in this call
        self.noted: set[tuple[int, str]] = set()
        self.unavailable = False  # a host was passed over for its circuit or cooldown
        self.all_out = False  # every host left is out: circuit open, or cooling longer than max_wait
        self.waited = False  # the last wait was for a cooling host, not a backoff after a round that sent

    # -------------------------------------------------------------------------------------- planning
    def steps(self) -> Iterator[Try | float]:
        fb = self.fb
        while True:
            tried = False
            for host in fb.health.order(fb.strategy, self.request):
                if self.sent >= fb.max_attempts:
                    break
                if host.index in self.finished_with:
                    continue
                if self._expired():
                    raise self._give_up(timed_out=True)
                why = fb.health.admit(host)
                if why is not None:
                    self._skip(host, why)
                    continue
                prepared = self._prepare(host)
                if prepared is None:
                    continue
                tried = True
                self.sent += 1
                yield Try(host, prepared)
            if self.sent >= fb.max_attempts:
                raise self._give_up()
            wait = self._wait(tried)
            if wait is None:
                raise self._give_up()
            if wait > 0:
                yield wait
            self.rounds += 1

    def _expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _prepare(self, host: HostState) -> Any:
        request = self.request
        if self.deadline is not None:  # each attempt gets what is left of the call's time
            request = dataclasses.replace(request, timeout=max(0.001, self.deadline - time.monotonic()))
        try:
            prepared = sender(host.provider).prepare(request)
        except ConfigurationError as exc:
            self.fb.health.release(host)
            self._cannot(host, exc)
            return None
        prepared.retry = NO_RETRY
        return prepared

    def _cannot(self, host: HostState, exc: ConfigurationError) -> None:
        self.finished_with.add(host.index)
        self.config_error = self.config_error or exc
        self.attempts.append(Attempt(host=host.name, outcome="skipped", detail=f"{type(exc).__name__}: {exc}"))

    def _skip(self, host: HostState, why: str) -> None:
        self.unavailable = True
        if (host.index, why) not in self.noted:
            self.noted.add((host.index, why))
            self.attempts.append(Attempt(host=host.name, outcome="skipped", detail=why))

    def _wait(self, tried: bool) -> float | None:
        """Seconds to wait before the next round, or None when there is no point in one."""
        fb = self.fb
        left = [h for h in fb.hosts if h.index not in self.finished_with]
        if not left:
            return None
        now = fb.health.clock()
        soonest = min(fb.health.ready_in(h, now) for h in left)
        if soonest > fb.max_wait:  # (an open circuit is infinitely far: never waited for)
            self.all_out = True
            return None
        delay = max(fb.retry.delay(self.rounds, None) if tried else 0.0, soonest)
        if not tried and (delay == 0 or self.waited):
            return None  # (a round that sent nothing even after waiting would only wait again)
        if self.deadline is not None and time.monotonic() + delay >= self.deadline:
            return None
        self.waited = not tried
        return delay

    def _give_up(self, *, timed_out: bool = False) -> RehostError:
        err: RehostError
        if timed_out:
            err = RequestTimeout(f"fallback: the call's total timeout expired after {self.sent} attempt(s)",
                                 host=self.fb.name)
            err.__cause__ = self.last_error
        elif self.last_error is not None and not self.all_out:
            err = self.last_error
        elif self.config_error is not None and not self.unavailable and not self.all_out:
            err = self.config_error
        else:
            now = self.fb.health.clock()
            backs = [self.fb.health.back_in(h, now) for h in self.fb.hosts if h.index not in self.finished_with]
            known = [b for b in backs if b is not None and b > 0]
            back = min(known) if known else None
            passed = "; ".join(f"{a.host}: {a.detail}" for a in self.attempts)
            err = Overloaded(f"fallback: no host can take the call now ({passed})", host=self.fb.name,
                             retry_after=back)  # shown as "retry after <the soonest>s"
            err.__cause__ = self.last_error
        err.attempts = tuple(self.attempts)
        return err

    # -------------------------------------------------------------------------------------- outcomes
    def succeeded(self, step: Try, seconds: float, *, stream: bool) -> None:
        self.fb.health.success(step.host, seconds, stream=stream)
        if not stream:
            self.note_ok(step, seconds)

    def note_ok(self, step: Try, seconds: float) -> None:
        self.attempts.append(Attempt(host=step.host.name, outcome="ok", seconds=seconds))

    def failed(self, step: Try, err: RehostError, seconds: float) -> None:
        """Record a failed attempt; raise ``err`` when the call must fail with it now."""
        host = step.host
        if isinstance(err, ConfigurationError):  # refused before sending (a missing key): nothing was spent
            self.sent -= 1
            self.fb.health.release(host)
            self._cannot(host, err)
            if isinstance(err, MissingAPIKey) and not self.fb.fall_back_on_auth:
                err.attempts = tuple(self.attempts)
                raise err
            return
        self.attempts.append(Attempt(host=host.name, outcome=type(err).__name__, seconds=seconds,
                                     detail=str(err)[:300]))
        disposition = self.fb.disposition(err)
        notify_attempt(host.name, err, seconds, disposition)  # the client call's hooks and span hear of it
        if disposition == "fail":
            self.fb.health.release(host)
            err.attempts = tuple(self.attempts)
            raise err
        self.fb.health.failure(host, err, count=not isinstance(err, ContextWindowExceeded))
        self.last_error = err
        if disposition == "next":
            self.finished_with.add(host.index)

    def failed_late(self, step: Try, err: RehostError, seconds: float) -> RehostError:
        """A stream that failed after its first event: recorded, never retried."""
        self.fb.health.failure(step.host, err, count=err.retryable or isinstance(err, ProtocolError))
        self.attempts.append(Attempt(host=step.host.name, outcome=type(err).__name__, seconds=seconds,
                                     detail="failed after the first event, so not retried elsewhere"))
        err.attempts = tuple(self.attempts)
        return err

    def abandoned(self, step: Try) -> None:
        """The attempt ended by something other than a host error (cancelled, a bug): free its trial slot."""
        self.fb.health.release(step.host)

    def finish(self, completion: Completion) -> Completion:
        return completion.model_copy(update={"attempts": tuple(self.attempts)})

