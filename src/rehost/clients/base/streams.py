"""The streamed call objects a client returns: ``CompletionStream`` and ``AsyncCompletionStream`` wrap the
provider's events, remember the final Completion and close the connection when left early."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from ...shared.chat.events import Done, TextDelta

if TYPE_CHECKING:
    from ...shared.catalog import Catalog
    from ...shared.chat.events import StreamEvent
    from ...shared.chat.types import Completion

__all__ = ["AsyncCompletionStream", "CompletionStream"]


class CompletionStream:
    """A streamed call: iterate for events; ``final()`` gives the Completion (consuming what is left)."""

    def __init__(self, events: Iterator[StreamEvent]) -> None:
        self._events = events
        self._completion: Completion | None = None

    def _scope_catalog(self, catalog: Catalog) -> None:
        """Read each event with ``catalog`` in use (a client's ``catalog=``: the cost is computed at the end)."""
        self._events = _scoped(self._events, catalog)

    def __iter__(self) -> Iterator[StreamEvent]:
        try:
            for event in self._events:
                if isinstance(event, Done):
                    self._completion = event.completion
                yield event
        finally:
            if self._completion is None:
                self.close()  # left early or failed: release the connection now

    def text(self) -> Iterator[str]:
        """Only the answer's text, piece by piece."""
        for event in self:
            if isinstance(event, TextDelta):
                yield event.text

    def final(self) -> Completion:
        if self._completion is None:
            for _ in self:
                pass
        if self._completion is None:
            raise RuntimeError("the stream was closed before it finished")
        return self._completion

    @property
    def completion(self) -> Completion | None:
        return self._completion

    def close(self) -> None:
        close = getattr(self._events, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> CompletionStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncCompletionStream:
    """The async twin of CompletionStream.

    It is its own iterator (``__anext__``), not an async generator over the events: a generator left by
    ``break`` is closed later by the event loop's finaliser, in a task of its own, which then raced
    ``__aexit__`` / ``aclose()`` closing the same events ("aclose(): asynchronous generator is already
    running"). With nothing in between, leaving early leaves the events to ``aclose()`` (or, without it, to the
    loop's finaliser of the events themselves), and ``final()`` after a ``break`` consumes the rest."""

    def __init__(self, events: AsyncIterator[StreamEvent]) -> None:
        self._events = events
        self._completion: Completion | None = None

    def _scope_catalog(self, catalog: Catalog) -> None:
        """Read each event with ``catalog`` in use (a client's ``catalog=``)."""
        self._events = _ascoped(self._events, catalog)

    def __aiter__(self) -> AsyncCompletionStream:
        return self

    async def __anext__(self) -> StreamEvent:
        event = await self._events.__anext__()  # an error or the end finishes the events' generator itself
        if isinstance(event, Done):
            self._completion = event.completion
        return event

    async def text(self) -> AsyncIterator[str]:
        async for event in self:
            if isinstance(event, TextDelta):
                yield event.text

    async def final(self) -> Completion:
        if self._completion is None:
            async for _ in self:
                pass
        if self._completion is None:
            raise RuntimeError("the stream was closed before it finished")
        return self._completion

    @property
    def completion(self) -> Completion | None:
        return self._completion

    async def aclose(self) -> None:
        aclose = getattr(self._events, "aclose", None)
        if aclose is not None:
            await aclose()

    async def __aenter__(self) -> AsyncCompletionStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _scoped(events: Iterator[StreamEvent], catalog: Catalog) -> Iterator[StreamEvent]:
    """``events``, each one read with ``catalog`` in use and nothing set between them (a generator spanning a
    ``with`` would leave it set in the caller's context while suspended)."""
    from ...shared.catalog import using_catalog

    try:
        while True:
            with using_catalog(catalog):
                try:
                    event = next(events)
                except StopIteration:
                    return
            yield event
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            with using_catalog(catalog):
                close()


async def _ascoped(events: AsyncIterator[StreamEvent], catalog: Catalog) -> AsyncIterator[StreamEvent]:
    """The async twin of ``_scoped``."""
    from ...shared.catalog import using_catalog

    try:
        while True:
            with using_catalog(catalog):
                try:
                    event = await events.__anext__()
                except StopAsyncIteration:
                    return
            yield event
    finally:
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            with using_catalog(catalog):
                await aclose()
