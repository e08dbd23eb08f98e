"""Hooks: your callbacks at the four moments of a model call, on a client or on a provider.

    from rehost import DeepSeekClient, Groq, Hooks

    def log_answer(event):
        print(event.host, event.completion.usage, event.seconds)

    groq = Groq()
    groq.hooks = Hooks(on_error=lambda e: alert(e.error))          # every client call through this host
    r1 = DeepSeekClient("r1-distill-llama-70b", provider=groq, hooks=Hooks(on_response=log_answer))

* ``on_request``: the request is checked and about to go (also for an answer the cache will serve);
* ``on_response``: the answer is complete (``event.completion``; ``event.cached`` when the cache served it;
  for a stream, when its ``Done`` arrives);
* ``on_error``: the call failed with ``event.error`` (after every retry and fallback it had);
* ``on_retry``: the call is about to try again: the transport retrying ``event.host`` (``event.attempt``,
  from 1, after ``event.delay`` seconds, because of ``event.error``), or a ``Fallback`` moving on from
  ``event.host`` to its next member (``event.fallback``).

Each hook takes one ``HookEvent``; a hook may be a list of callables. Hooks may be ``async def``: an async
call awaits them; a sync call runs them to completion on a private event loop (or, inside a running loop,
schedules them as tasks). Retry hooks fire from inside the send loop, so in an async call an async
``on_retry`` is scheduled rather than awaited. A hook that raises is logged (logger ``rehost.hooks``) and
does not change the call: monitoring must not break what it monitors.

Hooks fire for calls made through a client (``complete``, ``stream``, ``run`` and their async twins); a
provider's hooks fire for every client call bound to it, before the client's own. A raw ``provider.send``
is not observed. The client's hooks of a ``Fallback``'s call see the members' retries and attempts; the
members' own ``hooks`` are not called (the client is bound to the Fallback).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    import asyncio

    from .shared.chat.types import Completion
    from .shared.request import Request

__all__ = ["Hook", "HookEvent", "Hooks"]

log = logging.getLogger("rehost.hooks")

Moment: TypeAlias = Literal["request", "response", "error", "retry"]


@dataclass(frozen=True, slots=True)
class HookEvent:
    """What a hook is told. ``host`` is the provider's name (for a retry: the host being retried or left)."""

    moment: Moment
    request: Request
    host: str
    stream: bool = False
    completion: Completion | None = None
    error: BaseException | None = None
    #: the attempt about to be sent (1: the first retry), for ``on_retry``
    attempt: int | None = None
    #: seconds before that attempt
    delay: float | None = None
    #: ``on_retry`` for a Fallback moving on to its next member (not the transport retrying one host)
    fallback: bool = False
    cached: bool = False
    #: seconds since the call started, for ``on_response`` / ``on_error``
    seconds: float | None = None


Hook: TypeAlias = Callable[[HookEvent], "Awaitable[None] | None"]
HookLike: TypeAlias = "Hook | Sequence[Hook] | None"


def _hooks(value: Any, name: str) -> tuple[Hook, ...]:
    if value is None:
        return ()
    items = tuple(value) if isinstance(value, list | tuple) else (value,)
    for item in items:
        if not callable(item):
            from .shared.errors import ConfigurationError

            raise ConfigurationError(f"Hooks({name}=...) takes a callable or a list of them, not {item!r:.60}")
    return items


class Hooks:
    """Callbacks for ``on_request``, ``on_response``, ``on_error`` and ``on_retry`` (see the module)."""

    __slots__ = ("on_error", "on_request", "on_response", "on_retry")

    def __init__(self, *, on_request: HookLike = None, on_response: HookLike = None, on_error: HookLike = None,
                 on_retry: HookLike = None) -> None:
        self.on_request = _hooks(on_request, "on_request")
        self.on_response = _hooks(on_response, "on_response")
        self.on_error = _hooks(on_error, "on_error")
        self.on_retry = _hooks(on_retry, "on_retry")

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={len(getattr(self, name))}" for name in
                           ("on_request", "on_response", "on_error", "on_retry") if getattr(self, name))
        return f"Hooks({counts})"

    def __add__(self, other: Hooks) -> Hooks:
        """Both sets, this one's first."""
        merged = Hooks()
        for name in Hooks.__slots__:
            setattr(merged, name, getattr(self, name) + getattr(other, name))
        return merged

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in Hooks.__slots__)

    def _for(self, moment: Moment) -> tuple[Hook, ...]:
        found: tuple[Hook, ...] = getattr(self, f"on_{moment}")
        return found

    def fire(self, event: HookEvent) -> None:
        """Call the hooks of ``event.moment`` from sync code."""
        for hook in self._for(event.moment):
            try:
                result = hook(event)
                if inspect.isawaitable(result):
                    _run_coroutine(result)
            except Exception:
                log.exception("rehost: an %s hook raised", event.moment)

    async def afire(self, event: HookEvent) -> None:
        """Call the hooks of ``event.moment`` from async code, awaiting the async ones."""
        for hook in self._for(event.moment):
            try:
                result = hook(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("rehost: an %s hook raised", event.moment)


_background: set[asyncio.Task[Any]] = set()


def _run_coroutine(awaitable: Awaitable[Any]) -> None:
    """Run an async hook from sync code: to completion on a private loop, or as a task of the running one.
    (asyncio is imported here, not at the top: a sync program with sync hooks never needs it.)"""
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        async def wrapped() -> None:
            await awaitable

        asyncio.run(wrapped())
        return
    task = loop.create_task(_logged(awaitable))
    _background.add(task)  # (a task nobody holds may be collected before it runs)
    task.add_done_callback(_background.discard)


async def _logged(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception:
        log.exception("rehost: an async hook raised")
