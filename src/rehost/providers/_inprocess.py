"""What the in-process speech engines (``WhisperLocal``, ``PiperLocal``) share: one call on the loaded model at a
time, a wait with a timeout, and cancellation between pieces of work.

A loaded faster-whisper or Piper model is one set of weights on the CPU; two calls at once would only halve
each other's speed, so calls take turns. A call waits up to its queue timeout, then fails with ``Overloaded``;
an async call runs in a worker thread and, when cancelled, sets a flag the engine checks between segments
(Whisper) or sentences (Piper), so the model is free again at once rather than after the whole file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from ..shared.errors import Overloaded

__all__ = ["Cancelled", "ModelGate", "cache_dir", "in_thread", "stream_in_thread"]

T = TypeVar("T")


class Cancelled(Exception):
    """A call stopped because its caller went away."""


def cache_dir() -> Path:
    """Where rehost keeps files it assembles (``$REHOST_CACHE``, else ``$XDG_CACHE_HOME/rehost``, else
    ``~/.cache/rehost``)."""
    root = os.environ.get("REHOST_CACHE")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "rehost"


class ModelGate:
    """One call at a time on a loaded model; the others wait up to their timeout."""

    def __init__(self, host: str) -> None:
        self.host = host
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def hold(self, timeout: float | None, cancel: threading.Event | None = None) -> Iterator[None]:
        waited = 0.0
        step = 0.05
        while not self._lock.acquire(timeout=step):
            waited += step
            if cancel is not None and cancel.is_set():
                raise Cancelled
            if timeout is not None and waited >= timeout:
                raise Overloaded(f"{self.host}: the model was busy with another call for {timeout:g}s (one runs "
                                 "at a time); try again, raise queue_timeout=, or give parallel work an engine of "
                                 "its own", host=self.host)
        try:
            yield
        finally:
            self._lock.release()


async def in_thread(work: Callable[[threading.Event], T]) -> T:
    """Run ``work(cancel)`` in a worker thread; cancelling the awaiting task sets ``cancel``."""
    cancel = threading.Event()
    try:
        return await asyncio.to_thread(work, cancel)
    except asyncio.CancelledError:
        cancel.set()
        raise


async def stream_in_thread(produce: Callable[[threading.Event], Iterator[T]]) -> AsyncIterator[T]:
    """The items of a blocking generator, made in a worker thread and handed over as they come; leaving the
    async iteration early (or cancelling it) sets the generator's cancel flag."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    cancel = threading.Event()

    def run() -> None:
        try:
            for item in produce(cancel):
                loop.call_soon_threadsafe(queue.put_nowait, ("item", item))
                if cancel.is_set():
                    break
        except BaseException as exc:  # handed to the reader, which raises it
            loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))
        else:
            loop.call_soon_threadsafe(queue.put_nowait, ("end", None))

    worker = loop.run_in_executor(None, run)
    try:
        while True:
            kind, value = await queue.get()
            if kind == "end":
                break
            if kind == "error":
                raise value
            yield value
    finally:
        cancel.set()
        with contextlib.suppress(BaseException):
            await asyncio.shield(worker)
