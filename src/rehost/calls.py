"""A client call around the provider's send: the response cache, the hooks and the telemetry span, in one
place for the four shapes of call (sync / async, whole / streamed).

The client hands over the checked request (or, for a stream, the prepared call) and its cache choice; the
provider does the I/O. While the provider works, this call is the ``Observer`` of ``shared/io/observe.py``, so
a transport retry or a Fallback's failed member reaches the hooks (``on_retry``) and the span (as events).
For a stream the observer and the span are made current around each ``next()`` only, never across a
``yield`` (a generator's context changes would otherwise leak into its caller's).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from . import telemetry
from .shared.chat.events import Done, ReasoningDelta, TextDelta, ToolCallDelta
from .shared.errors import ConfigurationError
from .shared.io.observe import CURRENT, Observer
from .shared.request import Request

if TYPE_CHECKING:  # the cache and hooks modules are imported by the calls that use them
    from .cache import ResponseCache
    from .hooks import HookEvent, Hooks
    from .shared.chat.events import StreamEvent
    from .shared.chat.types import Completion

__all__ = ["acall", "astream", "call", "check_hooks", "choose_cache", "stream"]

_CONTENT = (TextDelta, ReasoningDelta, ToolCallDelta)


def choose_cache(client_cache: ResponseCache | None, option: Any) -> ResponseCache | None:
    """The cache of one call: ``cache=`` of the call (a ResponseCache, True for the client's, False for
    none), else the client's."""
    if option is None or option is True:
        if option is True and client_cache is None:
            raise ConfigurationError("cache=True needs a client made with cache=ResponseCache(...); or pass "
                                     "the cache itself: cache=ResponseCache()")
        return client_cache
    if option is False:
        return None
    from .cache import ResponseCache

    if isinstance(option, ResponseCache):
        return option
    raise ConfigurationError(f"cache= takes a ResponseCache, True or False, not {option!r:.60}")


def check_hooks(hooks: Any) -> Hooks | None:
    if hooks is None:
        return None
    from .hooks import Hooks

    if not isinstance(hooks, Hooks):
        raise ConfigurationError(f"hooks= takes a Hooks(on_request=..., ...), not {hooks!r:.60}")
    return hooks


class _Call:
    """One call's hooks, span and clock; the observer of the send loop while it runs."""

    def __init__(self, hooks: Hooks | None, provider: Any, request: Request) -> None:
        mine = getattr(provider, "hooks", None)
        if mine is not None:
            from .hooks import Hooks

            mine = mine if isinstance(mine, Hooks) else None
        if not mine:
            self.hooks = hooks or None
        else:
            self.hooks = mine + hooks if hooks else mine
        self.provider = provider
        self.host = str(getattr(provider, "name", type(provider).__name__))
        self.request = request
        self.t0 = time.perf_counter()
        self.span = telemetry.start(request, provider)
        self.first_chunk = False
        #: what CURRENT holds while the provider works (set around every event of a stream: made once)
        self._ref: weakref.ref[Observer] = weakref.ref(self)

    def _event(self, moment: Any, *, host: str | None = None, **fields: Any) -> HookEvent:
        from .hooks import HookEvent

        return HookEvent(moment, self.request, host or self.host, stream=self.request.stream, **fields)

    def seconds(self) -> float:
        return time.perf_counter() - self.t0

    # -- the observer ---------------------------------------------------------------------------------------
    def retry(self, host: str, attempt: int, error: BaseException, delay: float) -> None:
        if self.span is not None:
            self.span.event("rehost.retry", {"rehost.host": host, "rehost.attempt": attempt,
                                             "rehost.delay_s": delay, "error.type": type(error).__name__})
        if self.hooks is not None:
            self.hooks.fire(self._event("retry", host=host, error=error, attempt=attempt, delay=delay))

    def attempt(self, host: str, error: BaseException, seconds: float, disposition: str) -> None:
        if self.span is not None:
            self.span.event("rehost.fallback.attempt", {"rehost.host": host, "error.type": type(error).__name__,
                                                        "rehost.seconds": seconds,
                                                        "rehost.disposition": disposition})
        if self.hooks is not None and disposition != "fail":
            self.hooks.fire(self._event("retry", host=host, error=error, fallback=True))

    # -- around the provider --------------------------------------------------------------------------------
    def enter(self) -> tuple[Any, Any]:
        return CURRENT.set(self._ref), (self.span.activate() if self.span is not None else None)

    def leave(self, tokens: tuple[Any, Any]) -> None:
        if tokens[1] is not None and self.span is not None:
            self.span.deactivate(tokens[1])
        CURRENT.reset(tokens[0])

    def saw(self, event: StreamEvent) -> None:
        if not self.first_chunk and isinstance(event, _CONTENT):
            self.first_chunk = True
            if self.span is not None:
                self.span.first_chunk(self.seconds())

    def _ok(self, completion: Completion) -> HookEvent | None:
        if self.span is not None:
            self.span.succeeded(completion, self.seconds())
        if self.hooks is None:
            return None
        return self._event("response", completion=completion, cached=completion.cached, seconds=self.seconds())

    def _bad(self, error: BaseException) -> HookEvent | None:
        if self.span is not None:
            self.span.failed(error, self.seconds())
        return None if self.hooks is None else self._event("error", error=error, seconds=self.seconds())

    def started(self) -> None:
        if self.hooks is not None:
            self.hooks.fire(self._event("request"))

    def done(self, completion: Completion) -> None:
        event = self._ok(completion)
        if event is not None and self.hooks is not None:
            self.hooks.fire(event)

    def failed(self, error: BaseException) -> None:
        event = self._bad(error)
        if event is not None and self.hooks is not None:
            self.hooks.fire(event)

    async def astarted(self) -> None:
        if self.hooks is not None:
            await self.hooks.afire(self._event("request"))

    async def adone(self, completion: Completion) -> None:
        event = self._ok(completion)
        if event is not None and self.hooks is not None:
            await self.hooks.afire(event)

    async def afailed(self, error: BaseException) -> None:
        event = self._bad(error)
        if event is not None and self.hooks is not None:
            await self.hooks.afire(event)

    def abandoned(self) -> None:
        if self.span is not None:
            self.span.abandoned(self.seconds())


# ---------------------------------------------------------------------------------------------- whole answers


def call(hooks: Hooks | None, cache: ResponseCache | None, provider: Any, request: Request) -> Completion:
    """``provider.send(request)`` with the cache, hooks and telemetry around it."""
    run = _Call(hooks, provider, request)
    run.started()
    if cache is not None:
        hit = cache.lookup(request, provider)
        if hit is not None:
            run.done(hit)
            return hit
    tokens = run.enter()
    try:
        completion: Completion = provider.send(request)
    except BaseException as exc:
        run.failed(exc)
        raise
    finally:
        run.leave(tokens)
    if cache is not None:
        cache.save(request, provider, completion)
    run.done(completion)
    return completion


async def acall(hooks: Hooks | None, cache: ResponseCache | None, provider: Any, request: Request) -> Completion:
    run = _Call(hooks, provider, request)
    await run.astarted()
    if cache is not None:
        hit = await cache.alookup(request, provider)
        if hit is not None:
            await run.adone(hit)
            return hit
    tokens = run.enter()
    try:
        completion: Completion = await provider.asend(request)
    except BaseException as exc:
        await run.afailed(exc)
        raise
    finally:
        run.leave(tokens)
    if cache is not None:
        await cache.asave(request, provider, completion)
    await run.adone(completion)
    return completion


# ---------------------------------------------------------------------------------------------- streams


def stream(hooks: Hooks | None, cache: ResponseCache | None, provider: Any, prepared: Any) -> Iterator[StreamEvent]:
    """The events of ``provider.stream_prepared(prepared)``, or of the cached answer replayed, observed.
    Nothing happens (no hook, no lookup, no request) until the first ``next()``."""
    request: Request = prepared.request
    run = _Call(hooks, provider, request)
    run.started()
    if cache is not None:
        hit = cache.lookup(request, provider)
        if hit is not None:
            from .cache import replay

            for event in replay(hit):
                run.saw(event)
                if isinstance(event, Done):
                    run.done(hit)
                yield event
            return
    events = provider.stream_prepared(prepared)
    finished = False
    # the streaming hot path: what run.enter() / run.leave() / run.saw() do, without their calls per event
    span = run.span
    ref = run._ref
    set_current = CURRENT.set
    reset_current = CURRENT.reset
    try:
        while True:
            token = set_current(ref)
            active = span.activate() if span is not None else None
            try:
                event = next(events)
            except StopIteration:
                break
            except BaseException as exc:
                finished = True
                run.failed(exc)
                raise
            finally:
                if active is not None and span is not None:
                    span.deactivate(active)
                reset_current(token)
            if type(event) is TextDelta and run.first_chunk:
                yield event
                continue
            run.saw(event)
            if isinstance(event, Done):
                finished = True
                if cache is not None:
                    cache.save(request, provider, event.completion)
                run.done(event.completion)
            yield event
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()
        if not finished:
            run.abandoned()


async def astream(hooks: Hooks | None, cache: ResponseCache | None, provider: Any,
                  prepared: Any) -> AsyncIterator[StreamEvent]:
    request: Request = prepared.request
    run = _Call(hooks, provider, request)
    await run.astarted()
    if cache is not None:
        hit = await cache.alookup(request, provider)
        if hit is not None:
            from .cache import replay

            for event in replay(hit):
                run.saw(event)
                if isinstance(event, Done):
                    await run.adone(hit)
                yield event
            return
    events = provider.astream_prepared(prepared)
    finished = False
    # as in stream(): run.enter() / run.leave() / run.saw() inline, the streaming hot path
    span = run.span
    ref = run._ref
    set_current = CURRENT.set
    reset_current = CURRENT.reset
    next_event = events.__anext__
    try:
        while True:
            token = set_current(ref)
            active = span.activate() if span is not None else None
            try:
                event = await next_event()
            except StopAsyncIteration:
                break
            except BaseException as exc:
                finished = True
                await run.afailed(exc)
                raise
            finally:
                if active is not None and span is not None:
                    span.deactivate(active)
                reset_current(token)
            if type(event) is TextDelta and run.first_chunk:
                yield event
                continue
            run.saw(event)
            if isinstance(event, Done):
                finished = True
                if cache is not None:
                    await cache.asave(request, provider, event.completion)
                await run.adone(event.completion)
            yield event
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            await aclose()
        if not finished:
            run.abandoned()
