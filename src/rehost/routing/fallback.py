"""Fallback: several hosts behind one sender, tried in turn, with one retry budget and a breaker per host.

    from rehost import DeepSeekClient, Fallback, Groq, OpenRouter, Together

    hosts = Fallback([Groq(), OpenRouter(), Together()], strategy="latency")
    r1 = DeepSeekClient("r1-distill-llama-70b", provider=hosts)
    done = r1.complete("hi")
    done.host, done.attempts      # who answered, and everything tried before

A Fallback is a chat sender (``ChatSender`` in ``providers/base/kinds.py``) and hands itself out as
``endpoint("chat")``, so any client binds to it and swaps it like a single host. It knows nothing about any
host itself: each member (a Host, an in-process engine, another Fallback) prepares the request its own way
(its model id from the catalogue, its wire form) through its chat endpoint when its turn comes, and sends it
through its own transport, with that transport's retries turned off. Other kinds of work (embeddings ...)
are not routed yet: ``endpoint("embed")`` raises UnsupportedFeature (an embed endpoint retries inside its own
transport, which a shared retry budget would first have to turn off).

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
the same backend and ``state_key`` (default: the members' names): see ``rehost.routing.shared_breakers``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..shared.errors import (
    AuthenticationError,
    ConfigurationError,
    ContextWindowExceeded,
    NotFound,
    PaymentRequired,
    PermissionDenied,
    ProtocolError,
    RehostError,
    UnsupportedFeature,
)
from ..shared.request import Request
from ..shared.transport import RetryPolicy
from ..shared.types import Completion, Done, StreamEvent
from .breaker import Breaker, Health, HostState
from .run import Disposition, Run, sender
from .shared_breakers import SharedBreakers
from .strategies import Strategy, StrategyLike, make_strategy

if TYPE_CHECKING:
    from ..providers.base.kinds import Kind
    from ..shared.io.state import StateBackend

__all__ = ["Fallback", "RoutedCall"]


@dataclass(slots=True)
class RoutedCall:
    """What ``Fallback.prepare`` gives: the request, checked by the first member that can take it (``probe``,
    that member's own prepared call, shows what it would send). Each member prepares it again when its turn
    comes, so the Fallback's sends read only ``request``."""

    request: Request
    probe: Any = None
    #: set by an outer Fallback as on any member's call; unused: a Fallback's members never retry on their own
    retry: Any = None


def _is_member(member: Any) -> bool:
    """Whether ``member`` can be routed to: something that hands out endpoints, or a chat sender itself."""
    return callable(getattr(member, "endpoint", None)) or (
        callable(getattr(member, "send_prepared", None)) and callable(getattr(member, "prepare", None)))


class Fallback:
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

    def __init__(
        self,
        providers: Sequence[Any],
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
        if not all(_is_member(p) for p in providers):
            raise TypeError("Fallback takes providers (Groq(), OpenRouter(), ...)")
        self.providers: tuple[Any, ...] = tuple(providers)
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
        self.strategy: Strategy = make_strategy(strategy)
        self.fall_back_on_auth = fall_back_on_auth
        self.clock = clock
        self.latency_alpha = latency_alpha
        self.hosts: tuple[HostState, ...] = tuple(HostState(i, p) for i, p in enumerate(self.providers))
        key = state_key or ",".join(p.name for p in self.providers)
        self._shared = SharedBreakers(state, key) if state is not None else None
        self.health = Health(self.hosts, self.breaker, clock, latency_alpha, self._shared)
        self.base_url = ""
        self.rate_limiter = None

    # ------------------------------------------------------------------------------------------ kinds
    @property
    def kinds(self) -> frozenset[str]:
        """What a Fallback routes: chat (see the module docstring for the other kinds)."""
        return frozenset({"chat"})

    def endpoint(self, kind: Kind) -> Fallback:
        """The Fallback itself for chat; UnsupportedFeature for the kinds it does not route yet."""
        if kind != "chat":
            raise UnsupportedFeature(f"a Fallback routes chat only, not {kind}: bind the {kind} client to one host",
                                     host=self.name)
        return self

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
        windows = [w for p in self.providers
                   if hasattr(p, "context_window") and (w := p.context_window(request)) is not None]
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

    # ------------------------------------------------------------------------------------------ prepare
    def prepare(self, request: Request) -> RoutedCall:
        """Check that at least one member can take the request (raising the first member's error when none
        can); the members prepare it again, each its own way, when their turn comes."""
        first: ConfigurationError | None = None
        for provider in self.providers:
            try:
                probe = sender(provider).prepare(request)
            except ConfigurationError as exc:
                first = first or exc
                continue
            return RoutedCall(request, probe)
        assert first is not None
        raise first

    # ------------------------------------------------------------------------------------------ sync
    def send(self, request: Request) -> Completion:
        run = Run(self, request)
        for step in run.steps():
            if isinstance(step, float):
                time.sleep(step)
                continue
            t0 = time.perf_counter()
            try:
                completion = sender(step.host.provider).send_prepared(step.prepared)
            except RehostError as err:
                run.failed(step, err, time.perf_counter() - t0)
                continue
            except BaseException:
                run.abandoned(step)
                raise
            run.succeeded(step, time.perf_counter() - t0, stream=False)
            return run.finish(completion)
        raise AssertionError("unreachable: the plan ends by raising")

    def send_prepared(self, prepared: RoutedCall) -> Completion:
        return self.send(prepared.request)

    def stream_prepared(self, prepared: RoutedCall) -> Iterator[StreamEvent]:
        run = Run(self, prepared.request)
        for step in run.steps():
            if isinstance(step, float):
                time.sleep(step)
                continue
            t0 = time.perf_counter()
            events = sender(step.host.provider).stream_prepared(step.prepared)
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
        run = Run(self, request)
        for step in run.steps():
            if isinstance(step, float):
                await asyncio.sleep(step)
                continue
            t0 = time.perf_counter()
            try:
                completion = await sender(step.host.provider).asend_prepared(step.prepared)
            except RehostError as err:
                run.failed(step, err, time.perf_counter() - t0)
                continue
            except BaseException:
                run.abandoned(step)
                raise
            run.succeeded(step, time.perf_counter() - t0, stream=False)
            return run.finish(completion)
        raise AssertionError("unreachable: the plan ends by raising")

    async def asend_prepared(self, prepared: RoutedCall) -> Completion:
        return await self.asend(prepared.request)

    async def astream_prepared(self, prepared: RoutedCall) -> AsyncIterator[StreamEvent]:
        run = Run(self, prepared.request)
        for step in run.steps():
            if isinstance(step, float):
                await asyncio.sleep(step)
                continue
            t0 = time.perf_counter()
            events = sender(step.host.provider).astream_prepared(step.prepared)
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
            if hasattr(provider, "warm"):
                provider.warm()

    async def awarm(self, connections: int = 1) -> None:
        for provider in self.providers:
            if hasattr(provider, "awarm"):
                await provider.awarm(connections)

    def close(self) -> None:
        for provider in self.providers:
            if hasattr(provider, "close"):
                provider.close()

    async def aclose(self) -> None:
        for provider in self.providers:
            if hasattr(provider, "aclose"):
                await provider.aclose()

    def __enter__(self) -> Fallback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Fallback:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _close(events: Iterator[StreamEvent]) -> None:
    close = getattr(events, "close", None)
    if close is not None:
        close()


async def _aclose(events: AsyncIterator[StreamEvent]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
