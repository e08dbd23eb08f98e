"""Fallback: several hosts behind one provider, tried in turn, with one retry budget and a breaker per host.

    from rehost import DeepSeekClient, Fallback, Groq, OpenRouter, Together

    hosts = Fallback([Groq(), OpenRouter(), Together()], strategy="latency")
    r1 = DeepSeekClient("r1-distill-llama-70b", provider=hosts)
    done = r1.complete("hi")
    done.host, done.attempts      # who answered, and everything tried before

A Fallback is a Provider, so any client binds to it and swaps it like a single host. It knows nothing about
any host itself: each member prepares the request its own way (its model id from the catalogue, its wire
form) when its turn comes, and sends it through its own transport, with that transport's retries turned off.

What happens to an error, by kind:

* ``RateLimited``, ``Overloaded``, ``ServerError``, ``RequestTimeout``, ``ConnectionFailed`` (the kinds a
  retry can fix): the next host is tried at once; the failing host may be tried again in a later round of the
  same call (after a backoff) while the attempt budget lasts. A ``Retry-After`` puts the host in cooldown:
  it is passed over until then, by this call and every other call through this Fallback.
* Host-specific failures that say nothing about the request: ``ProtocolError`` (garbage, an HTML page, a
  truncated answer), ``NotFound`` / ``ModelNotFound`` (the host does not know the id), ``ContextWindowExceeded``
  (windows differ between hosts), and by default ``AuthenticationError`` / ``PermissionDenied`` /
  ``PaymentRequired`` and ``MissingAPIKey``: the next host is tried, this one is not tried again in this call.
  Account errors fall through because a missing, wrong or expired key, or an empty account, belongs to one
  host account, not to the request, and the point of several hosts is that the others still answer; the
  error stays visible in ``attempts`` and, when it persists, in the breaker. ``fall_back_on_auth=False``
  makes them fail the call at once instead (a misconfigured key should then be loud).
* Everything else (``InvalidRequest``, ``ContentBlocked``, ``OutputValidationError``, ...) fails the call at
  once without trying another host: the same request would be refused the same way elsewhere, and routing
  around a moderation refusal is not a library's call to make.
* A member that cannot take the request at all (the catalogue says it does not serve the model, it cannot
  express a feature, it has no key: any ``ConfigurationError`` before sending) is skipped; nothing is sent
  and no attempt is spent. When no member can, the first such error is raised.

One retry budget: a call sends at most ``max_attempts`` requests in all, across all hosts and rounds
(default: one per member plus ``retry.max_retries``, so with the default ``RetryPolicy`` three hosts get at
most five requests, and a one-host Fallback behaves exactly like the host alone with its default retries).
Members never retry on their own inside a Fallback. ``request.timeout`` (the client's ``timeout=``) bounds
the whole call, all attempts and waits included. Waiting: none between hosts; ``retry``'s backoff between
rounds; when no host can be tried now and the soonest one's ``Retry-After`` ends within ``max_wait`` seconds
(default 1), that short wait is taken like a backoff. Otherwise every host is out (cooling down for longer,
or its circuit open: an open circuit is never waited for, failing fast is what it is for) and the call fails
at once with ``Overloaded``: its ``retry_after`` is the soonest any host is back (a cooldown's end, or an
open circuit's trial call), its message names each host's reason, its ``__cause__`` is the last host error,
and the next call, finding the hosts still out, fails the same way without sending anything. Only a
caller knows whether a 30-second wait is worth it; the Fallback does not sleep it on their behalf. A
timed-out attempt may still have been processed (and billed) by its host; falling back then can pay twice,
the price of an answer.

Streams fall back only until their first event reaches the caller; after that an error is raised as it is
(a stream is never retried once it has started, as with a single host).

Circuit breaker, per member: ``Breaker(failures=5, cooldown=30)``: after that many consecutive host
failures the circuit opens and the host is passed over for ``cooldown`` seconds; then it is half-open and
one trial call goes through (others keep passing it over); success closes it, failure opens it again for
another cooldown. Requests the host refused as invalid count neither way. Time comes from ``clock``
(``time.monotonic`` by default), so the schedule is testable without sleeping.

Strategies choose the order of the hosts for each call; open circuits and cooling hosts are then passed over:
``"ordered"`` (as given: the first healthy host first), ``"latency"`` (lowest observed latency first, an
exponentially weighted average per host of the time to the whole answer or, for streams, to the first event;
hosts not yet measured, or not measured for ``stale_after`` seconds, are tried first so that the averages stay
true), ``"cost"`` (lowest catalogue price for the model on that host, blended 3:1 input to output; unknown
prices last), ``"round_robin"``. Any callable ``(hosts, request, now) -> hosts`` is a strategy too. A host's
first latency sample includes opening its connection; the average soon forgets it.

The state (breakers, cooldowns, latencies) is shared by every call and thread using the Fallback, guarded
by one lock; sync and async calls share all of it and all the logic that is not I/O. With ``state=`` (a
``StateBackend``, such as ``RedisState``) the circuits and cooldowns are shared with every process that uses
the same backend and ``state_key`` (default: the members' names): see ``rehost.shared.breaker_state``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias

import httpx

from ..shared.breaker_state import SharedBreakers
from ..shared.errors import (
    AuthenticationError,
    ConfigurationError,
    ContextWindowExceeded,
    HostError,
    MissingAPIKey,
    NotFound,
    Overloaded,
    PaymentRequired,
    PermissionDenied,
    ProtocolError,
    RehostError,
    RequestTimeout,
)
from ..shared.observe import notify_attempt
from ..shared.request import Request
from ..shared.transport import HttpCall, RetryPolicy
from ..shared.types import Attempt, Completion, Done, StreamEvent
from .base import PreparedCall, Provider, StreamState

if TYPE_CHECKING:
    from ..shared.catalog import Catalog
    from ..shared.state import StateBackend
    from .dialects.common import CallInfo

__all__ = ["Breaker", "Fallback", "HostState", "LowestCost", "LowestLatency", "RoundRobin", "Strategy",
           "ordered"]

NO_RETRY = RetryPolicy(max_retries=0)
Circuit: TypeAlias = Literal["closed", "open", "half_open"]
Disposition: TypeAlias = Literal["retry", "next", "fail"]


@dataclass(frozen=True, slots=True)
class Breaker:
    """Circuit-breaker settings for each member: ``failures`` consecutive host failures open the circuit for
    ``cooldown`` seconds, after which one trial call is let through (half-open)."""

    failures: int = 5
    cooldown: float = 30.0

    def __post_init__(self) -> None:
        if self.failures < 1 or self.cooldown < 0:
            raise ValueError("Breaker needs failures >= 1 and cooldown >= 0")


class HostState:
    """What a Fallback has seen of one member: its circuit, its cooldown, its observed latency.

    Strategies read it; only the Fallback writes it (under its lock). ``latency[stream]`` is the weighted
    average in seconds for streamed (time to first event) or whole (time to the answer) calls."""

    def __init__(self, index: int, provider: Provider) -> None:
        self.index = index
        self.provider = provider
        self.name: str = provider.name
        self.circuit: Circuit = "closed"
        self.consecutive_failures = 0
        self.opened_at = 0.0
        self.trial_in_flight = False
        self.cooldown_until = 0.0
        self.latency: dict[bool, float] = {}
        self.measured_at: dict[bool, float] = {}
        self.successes = 0
        self.failures = 0

    def __repr__(self) -> str:
        lat = ", ".join(f"{'stream' if k else 'whole'}={v * 1000:.0f}ms" for k, v in sorted(self.latency.items()))
        return (f"HostState({self.name!r}, circuit={self.circuit}, consecutive_failures={self.consecutive_failures}"
                f"{', latency: ' + lat if lat else ''})")


Strategy: TypeAlias = Callable[[Sequence[HostState], Request, float], Sequence[HostState]]
StrategyLike: TypeAlias = Literal["ordered", "latency", "cost", "round_robin"] | Strategy


def ordered(hosts: Sequence[HostState], request: Request, now: float) -> Sequence[HostState]:
    """The hosts as given: the first healthy one answers."""
    return list(hosts)


@dataclass(slots=True)
class LowestLatency:
    """Lowest observed latency first; hosts never measured (or not for ``stale_after`` seconds) first of all,
    so a host that was slow once is measured again from time to time instead of being dropped for good."""

    stale_after: float = 300.0

    def __call__(self, hosts: Sequence[HostState], request: Request, now: float) -> Sequence[HostState]:
        def key(host: HostState) -> tuple[int, float]:
            seconds = host.latency.get(request.stream)
            at = host.measured_at.get(request.stream)
            if seconds is None or at is None or now - at > self.stale_after:
                return (0, 0.0)
            return (1, seconds)

        return sorted(hosts, key=key)


@dataclass(slots=True)
class LowestCost:
    """Lowest catalogue price of the request's model on each host first (USD per million tokens, input and
    output blended ``input_weight`` : ``output_weight``); hosts without a known price last, in given order."""

    input_weight: int = 3
    output_weight: int = 1
    catalog: Catalog | None = None

    def price(self, model: str, host: str) -> Decimal | None:
        from ..shared.catalog import default_catalog

        prices = (self.catalog or default_catalog()).prices(model, host)
        if prices is None:
            return None
        total = self.input_weight + self.output_weight
        return (prices.input * self.input_weight + prices.output * self.output_weight) / total

    def __call__(self, hosts: Sequence[HostState], request: Request, now: float) -> Sequence[HostState]:
        def key(host: HostState) -> tuple[int, Decimal]:
            price = self.price(request.model, host.name)
            return (1, Decimal(0)) if price is None else (0, price)

        return sorted(hosts, key=key)


class RoundRobin:
    """Each call starts one host further along; the others follow in order as fallbacks."""

    def __init__(self) -> None:
        self._next = 0
        self._lock = threading.Lock()

    def __call__(self, hosts: Sequence[HostState], request: Request, now: float) -> Sequence[HostState]:
        if not hosts:
            return []
        with self._lock:
            start = self._next % len(hosts)
            self._next += 1
        return [*hosts[start:], *hosts[:start]]


def _strategy(strategy: StrategyLike) -> Strategy:
    if callable(strategy):
        return strategy
    made: dict[str, Callable[[], Strategy]] = {"ordered": lambda: ordered, "latency": LowestLatency,
                                               "cost": LowestCost, "round_robin": RoundRobin}
    if strategy not in made:
        raise ValueError(f"unknown strategy {strategy!r}: use one of {', '.join(made)} or a callable")
    return made[strategy]()


@dataclass(slots=True)
class _Try:
    host: HostState
    prepared: PreparedCall


class _Run:
    """One call through a Fallback: which host next, what came of each, when to wait, when to give up.

    ``steps()`` yields a ``_Try`` to send or a float of seconds to wait; the caller does the I/O (sync or
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
    def steps(self) -> Iterator[_Try | float]:
        fb = self.fb
        while True:
            tried = False
            for host in fb._order(self.request):
                if self.sent >= fb.max_attempts:
                    break
                if host.index in self.finished_with:
                    continue
                if self._expired():
                    raise self._give_up(timed_out=True)
                why = fb._admit(host)
                if why is not None:
                    self._skip(host, why)
                    continue
                prepared = self._prepare(host)
                if prepared is None:
                    continue
                tried = True
                self.sent += 1
                yield _Try(host, prepared)
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

    def _prepare(self, host: HostState) -> PreparedCall | None:
        request = self.request
        if self.deadline is not None:  # each attempt gets what is left of the call's time
            request = dataclasses.replace(request, timeout=max(0.001, self.deadline - time.monotonic()))
        try:
            prepared = host.provider.prepare(request)
        except ConfigurationError as exc:
            self.fb._release(host)
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
        now = fb.clock()
        soonest = min(fb._ready_in(h, now) for h in left)
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
            now = self.fb.clock()
            backs = [self.fb._back_in(h, now) for h in self.fb.hosts if h.index not in self.finished_with]
            known = [b for b in backs if b is not None and b > 0]
            back = min(known) if known else None
            passed = "; ".join(f"{a.host}: {a.detail}" for a in self.attempts)
            err = Overloaded(f"fallback: no host can take the call now ({passed})", host=self.fb.name,
                             retry_after=back)  # shown as "retry after <the soonest>s"
            err.__cause__ = self.last_error
        err.attempts = tuple(self.attempts)
        return err

    # -------------------------------------------------------------------------------------- outcomes
    def succeeded(self, step: _Try, seconds: float, *, stream: bool) -> None:
        self.fb._success(step.host, seconds, stream=stream)
        if not stream:
            self.note_ok(step, seconds)

    def note_ok(self, step: _Try, seconds: float) -> None:
        self.attempts.append(Attempt(host=step.host.name, outcome="ok", seconds=seconds))

    def failed(self, step: _Try, err: RehostError, seconds: float) -> None:
        """Record a failed attempt; raise ``err`` when the call must fail with it now."""
        host = step.host
        if isinstance(err, ConfigurationError):  # refused before sending (a missing key): nothing was spent
            self.sent -= 1
            self.fb._release(host)
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
            self.fb._release(host)
            err.attempts = tuple(self.attempts)
            raise err
        self.fb._failure(host, err, count=not isinstance(err, ContextWindowExceeded))
        self.last_error = err
        if disposition == "next":
            self.finished_with.add(host.index)

    def failed_late(self, step: _Try, err: RehostError, seconds: float) -> RehostError:
        """A stream that failed after its first event: recorded, never retried."""
        self.fb._failure(step.host, err, count=err.retryable or isinstance(err, ProtocolError))
        self.attempts.append(Attempt(host=step.host.name, outcome=type(err).__name__, seconds=seconds,
                                     detail="failed after the first event, so not retried elsewhere"))
        err.attempts = tuple(self.attempts)
        return err

    def abandoned(self, step: _Try) -> None:
        """The attempt ended by something other than a host error (cancelled, a bug): free its trial slot."""
        self.fb._release(step.host)

    def finish(self, completion: Completion) -> Completion:
        return completion.model_copy(update={"attempts": tuple(self.attempts)})


class Fallback(Provider):
    """Several providers behind one: see the module docstring for what falls back, the budget, the breaker
    and the strategies.

    ``providers``: the member hosts (each with its own key, pool and rate limit); closing the Fallback
    closes them. ``strategy``: ``"ordered"`` | ``"latency"`` | ``"cost"`` | ``"round_robin"`` or a callable.
    ``max_attempts``: requests per call across all hosts (default ``len(providers) + retry.max_retries``).
    ``retry``: the backoff between rounds (after every host in play has failed once); its ``max_retries``
    sets the default budget. ``max_wait``: the longest wait for a host cooling down after a ``Retry-After``
    when no other host can be tried (longer, and the call fails at once with ``Overloaded``; 0: never wait).
    ``breaker``: circuit-breaker settings. ``fall_back_on_auth``: whether
    401/402/403 and a missing key move on to the next host (default) or fail the call. ``clock``: seconds, for
    breaker and cooldown schedules. ``latency_alpha``: weight of the newest sample in the latency average.
    """

    name: ClassVar[str] = "fallback"
    default_base_url: ClassVar[str] = ""

    def __init__(
        self,
        providers: Sequence[Provider],
        *,
        strategy: StrategyLike = "ordered",
        max_attempts: int | None = None,
        retry: RetryPolicy | None = None,
        breaker: Breaker | None = None,
        fall_back_on_auth: bool = True,
        clock: Callable[[], float] = time.monotonic,
        latency_alpha: float = 0.3,
        max_wait: float = 1.0,
        state: StateBackend | None = None,
        state_key: str | None = None,
    ) -> None:
        if not providers:
            raise ValueError("Fallback needs at least one provider")
        if not all(isinstance(p, Provider) for p in providers):
            raise TypeError("Fallback takes providers (Groq(), OpenRouter(), ...)")
        self.providers: tuple[Provider, ...] = tuple(providers)
        self.retry = retry or RetryPolicy()
        self.max_attempts = max_attempts if max_attempts is not None else len(providers) + self.retry.max_retries
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 < latency_alpha <= 1:
            raise ValueError("latency_alpha must be in (0, 1]")
        if not max_wait >= 0:
            raise ValueError("max_wait must be seconds >= 0 (0: never wait for a cooling host)")
        self.max_wait = max_wait
        self.breaker = breaker or Breaker()
        self.strategy: Strategy = _strategy(strategy)
        self.fall_back_on_auth = fall_back_on_auth
        self.clock = clock
        self.latency_alpha = latency_alpha
        self.hosts: tuple[HostState, ...] = tuple(HostState(i, p) for i, p in enumerate(self.providers))
        self._lock = threading.Lock()
        key = state_key or ",".join(p.name for p in self.providers)
        self._shared = SharedBreakers(state, key) if state is not None else None
        self.base_url = ""
        self.rate_limiter = None

    # ------------------------------------------------------------------------------------------ identity
    def __repr__(self) -> str:
        names = ", ".join(type(p).__name__ for p in self.providers)
        strategy = getattr(self.strategy, "__name__", type(self.strategy).__name__)
        return f"Fallback([{names}], strategy={strategy}, max_attempts={self.max_attempts})"

    @property
    def has_key(self) -> bool:
        return any(p.has_key for p in self.providers)

    @property
    def missing_key_reason(self) -> str | None:
        if self.has_key:
            return None
        return "; ".join(p.missing_key_reason or p.name for p in self.providers)

    def context_window(self, request: Request) -> int | None:
        """The largest window among the members that serve the model (a host with a smaller one that refuses
        the request with ContextWindowExceeded is passed over for the next)."""
        windows = [w for p in self.providers if (w := p.context_window(request)) is not None]
        return max(windows) if windows else None

    def disposition(self, err: RehostError) -> Disposition:
        """What a host error means for the call: ``retry`` (next host now; this one again in a later round),
        ``next`` (next host; not this one again in this call) or ``fail`` (raise it now)."""
        if err.retryable:
            return "retry"
        if isinstance(err, ProtocolError | NotFound | ContextWindowExceeded):
            return "next"
        if isinstance(err, AuthenticationError | PermissionDenied | PaymentRequired):
            return "next" if self.fall_back_on_auth else "fail"
        return "fail"

    # ------------------------------------------------------------------------------------------ state
    def _order(self, request: Request) -> Sequence[HostState]:
        with self._lock:
            return list(self.strategy(self.hosts, request, self.clock()))

    def _admit(self, host: HostState) -> str | None:
        """None when the host may be tried now (taking the half-open trial slot), else why not."""
        with self._lock:
            now = self.clock()
            if self._shared is not None:
                self._shared.pull(host, now, self.breaker.cooldown)
            if now < host.cooldown_until:
                return f"cooling down for {host.cooldown_until - now:.3g}s (the host asked to retry later)"
            if host.circuit == "open":
                if now - host.opened_at < self.breaker.cooldown:
                    return "circuit open"
                host.circuit = "half_open"
                host.trial_in_flight = True
                return None
            if host.circuit == "half_open":
                if host.trial_in_flight:
                    return "circuit half-open, its trial call in flight"
                host.trial_in_flight = True
            return None

    def _ready_in(self, host: HostState, now: float) -> float:
        """Seconds until the host may be tried; infinite for an open circuit (never waited for: failing fast
        is what the breaker is for) or a trial in flight."""
        with self._lock:
            if self._shared is not None:
                self._shared.pull(host, now, self.breaker.cooldown)
            if host.circuit == "open" and now - host.opened_at < self.breaker.cooldown:
                return math.inf
            if host.circuit == "half_open" and host.trial_in_flight:
                return math.inf
            return max(0.0, host.cooldown_until - now)

    def _back_in(self, host: HostState, now: float) -> float | None:
        """Seconds until the host may be tried again: its cooldown, and for an open circuit the time to its
        half-open trial; None while a trial call is in flight (it is back when that call ends)."""
        with self._lock:
            if host.circuit == "half_open" and host.trial_in_flight:
                return None
            back = max(0.0, host.cooldown_until - now)
            if host.circuit == "open":
                back = max(back, self.breaker.cooldown - (now - host.opened_at))
            return back

    def _release(self, host: HostState) -> None:
        with self._lock:
            host.trial_in_flight = False

    def _success(self, host: HostState, seconds: float, *, stream: bool) -> None:
        with self._lock:
            reopened = host.circuit != "closed"
            host.circuit = "closed"
            if self._shared is not None and reopened:
                self._shared.push(host, self.clock(), self.breaker.cooldown)
            host.consecutive_failures = 0
            host.trial_in_flight = False
            host.successes += 1
            old = host.latency.get(stream)
            a = self.latency_alpha
            host.latency[stream] = seconds if old is None else a * seconds + (1 - a) * old
            host.measured_at[stream] = self.clock()

    def _failure(self, host: HostState, err: RehostError, *, count: bool) -> None:
        with self._lock:
            now = self.clock()
            before = (host.circuit, host.cooldown_until)
            self._count_failure(host, err, now, count=count)
            if self._shared is not None and (host.circuit, host.cooldown_until) != before:
                self._shared.push(host, now, self.breaker.cooldown)

    def _count_failure(self, host: HostState, err: RehostError, now: float, *, count: bool) -> None:
        if err.retry_after:
            host.cooldown_until = max(host.cooldown_until, now + err.retry_after)
        host.trial_in_flight = False
        if not count:
            return
        host.failures += 1
        if host.circuit == "half_open":
            host.circuit, host.opened_at = "open", now
            return
        host.consecutive_failures += 1
        if host.circuit == "closed" and host.consecutive_failures >= self.breaker.failures:
            host.circuit, host.opened_at = "open", now

    # ------------------------------------------------------------------------------------------ prepare
    def prepare(self, request: Request) -> PreparedCall:
        """Check that at least one member can take the request (raising the first member's error when none
        can); the members prepare it again, each its own way, when their turn comes."""
        first: ConfigurationError | None = None
        for provider in self.providers:
            try:
                probe = provider.prepare(request)
            except ConfigurationError as exc:
                first = first or exc
                continue
            return PreparedCall(request, probe.call, probe.info)
        assert first is not None
        raise first

    # ------------------------------------------------------------------------------------------ sync
    def send(self, request: Request) -> Completion:
        run = _Run(self, request)
        for step in run.steps():
            if isinstance(step, float):
                time.sleep(step)
                continue
            t0 = time.perf_counter()
            try:
                completion = step.host.provider.send_prepared(step.prepared)
            except RehostError as err:
                run.failed(step, err, time.perf_counter() - t0)
                continue
            except BaseException:
                run.abandoned(step)
                raise
            run.succeeded(step, time.perf_counter() - t0, stream=False)
            return run.finish(completion)
        raise AssertionError("unreachable: the plan ends by raising")

    def send_prepared(self, prepared: PreparedCall) -> Completion:
        return self.send(prepared.request)

    def stream_prepared(self, prepared: PreparedCall) -> Iterator[StreamEvent]:
        run = _Run(self, prepared.request)
        for step in run.steps():
            if isinstance(step, float):
                time.sleep(step)
                continue
            t0 = time.perf_counter()
            events = step.host.provider.stream_prepared(step.prepared)
            try:
                first = next(events, None)
                if first is None:
                    raise ProtocolError(f"{step.host.name} ended the stream without an event", host=step.host.name)
            except RehostError as err:
                _close(events)
                run.failed(step, err, time.perf_counter() - t0)
                continue
            except BaseException:
                _close(events)
                run.abandoned(step)
                raise
            ttfe = time.perf_counter() - t0
            run.succeeded(step, ttfe, stream=True)
            try:
                event: StreamEvent = first
                while True:
                    if isinstance(event, Done):
                        run.note_ok(step, ttfe)
                        yield Done(run.finish(event.completion))
                    else:
                        yield event
                    try:
                        event = next(events)
                    except StopIteration:
                        return
                    except RehostError as err:
                        raise run.failed_late(step, err, time.perf_counter() - t0) from None
            finally:
                _close(events)
        raise AssertionError("unreachable: the plan ends by raising")

    # ------------------------------------------------------------------------------------------ async
    async def asend(self, request: Request) -> Completion:
        run = _Run(self, request)
        for step in run.steps():
            if isinstance(step, float):
                await asyncio.sleep(step)
                continue
            t0 = time.perf_counter()
            try:
                completion = await step.host.provider.asend_prepared(step.prepared)
            except RehostError as err:
                run.failed(step, err, time.perf_counter() - t0)
                continue
            except BaseException:
                run.abandoned(step)
                raise
            run.succeeded(step, time.perf_counter() - t0, stream=False)
            return run.finish(completion)
        raise AssertionError("unreachable: the plan ends by raising")

    async def asend_prepared(self, prepared: PreparedCall) -> Completion:
        return await self.asend(prepared.request)

    async def astream_prepared(self, prepared: PreparedCall) -> AsyncIterator[StreamEvent]:
        run = _Run(self, prepared.request)
        for step in run.steps():
            if isinstance(step, float):
                await asyncio.sleep(step)
                continue
            t0 = time.perf_counter()
            events = step.host.provider.astream_prepared(step.prepared)
            try:
                try:
                    first = await events.__anext__()
                except StopAsyncIteration:
                    raise ProtocolError(f"{step.host.name} ended the stream without an event",
                                        host=step.host.name) from None
            except RehostError as err:
                await _aclose(events)
                run.failed(step, err, time.perf_counter() - t0)
                continue
            except BaseException:
                await _aclose(events)
                run.abandoned(step)
                raise
            ttfe = time.perf_counter() - t0
            run.succeeded(step, ttfe, stream=True)
            try:
                event: StreamEvent = first
                while True:
                    if isinstance(event, Done):
                        run.note_ok(step, ttfe)
                        yield Done(run.finish(event.completion))
                    else:
                        yield event
                    try:
                        event = await events.__anext__()
                    except StopAsyncIteration:
                        return
                    except RehostError as err:
                        raise run.failed_late(step, err, time.perf_counter() - t0) from None
            finally:
                await _aclose(events)
        raise AssertionError("unreachable: the plan ends by raising")

    # ------------------------------------------------------------------------------------------ lifecycle
    def warm(self) -> None:
        for provider in self.providers:
            provider.warm()

    async def awarm(self, connections: int = 1) -> None:
        for provider in self.providers:
            await provider.awarm(connections)

    def close(self) -> None:
        for provider in self.providers:
            provider.close()

    async def aclose(self) -> None:
        for provider in self.providers:
            await provider.aclose()

    # ------------------------------------------------------------------------------------------ not used
    # A Fallback never speaks HTTP itself: its members do. These hooks exist only to satisfy Provider.
    def build_call(self, request: Request, model_id: str) -> HttpCall:
        raise NotImplementedError("a Fallback sends through its members")

    def decode(self, body: Any, headers: httpx.Headers, info: CallInfo) -> Completion:
        raise NotImplementedError("a Fallback sends through its members")

    def open_stream(self, info: CallInfo) -> StreamState:
        raise NotImplementedError("a Fallback sends through its members")

    def finish_stream(self, state: Any, info: CallInfo) -> Completion:
        raise NotImplementedError("a Fallback sends through its members")

    def error_from_body(self, status: int, headers: Mapping[str, str], body: Any) -> HostError:
        raise NotImplementedError("a Fallback sends through its members")


def _close(events: Iterator[StreamEvent]) -> None:
    close = getattr(events, "close", None)
    if close is not None:
        close()


async def _aclose(events: AsyncIterator[StreamEvent]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
