"""The observer of the call in progress: how the send loop's depths (a retry in the transport, a host a
``Fallback`` moved on from) reach the hooks and the telemetry span of the client call they belong to,
without every layer between passing an observer down.

The client's call (``rehost.calls``) sets ``CURRENT`` around each step it drives (the whole send, or each
``next()`` of a stream) and resets it after, so an observer never leaks into the caller's context, and each
asyncio task sees only its own call's. It holds a weak reference: a task started during the call (a pool's
keeper) copies the context and may outlive the call by far, and must not keep the call, and through it the
provider, alive. With no client call around (a provider used directly) nothing is observed and these
functions cost one ContextVar lookup.
"""

from __future__ import annotations

import logging
import weakref
from contextvars import ContextVar
from typing import Protocol

__all__ = ["CURRENT", "Observer", "notify_attempt", "notify_retry"]

log = logging.getLogger("rehost.hooks")


class Observer(Protocol):
    def retry(self, host: str, attempt: int, error: BaseException, delay: float) -> None:
        """The transport will send attempt ``attempt`` (1: the first retry) to ``host`` after ``delay``s."""

    def attempt(self, host: str, error: BaseException, seconds: float, disposition: str) -> None:
        """A Fallback's attempt on ``host`` failed after ``seconds``; ``disposition`` is what it does next
        (``retry``: next host now, this one later; ``next``: next host; ``fail``: the call ends)."""


CURRENT: ContextVar[weakref.ref[Observer] | None] = ContextVar("rehost_call_observer", default=None)


def _current() -> Observer | None:
    ref = CURRENT.get()
    return None if ref is None else ref()


def notify_retry(host: str, attempt: int, error: BaseException, delay: float) -> None:
    observer = _current()
    if observer is not None:
        try:
            observer.retry(host, attempt, error, delay)
        except Exception:  # an observer's bug must not change the call
            log.exception("rehost: a retry observer raised")


def notify_attempt(host: str, error: BaseException, seconds: float, disposition: str) -> None:
    observer = _current()
    if observer is not None:
        try:
            observer.attempt(host, error, seconds, disposition)
        except Exception:
            log.exception("rehost: a fallback observer raised")
