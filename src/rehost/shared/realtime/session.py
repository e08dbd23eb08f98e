"""A realtime voice session, the surface every host and the cascade share, and the one session loop that runs
any host's vocabulary over the websocket shell.

``RealtimeSession`` is what users hold: ``send_audio`` / ``commit`` / ``send_text`` / ``respond`` /
``interrupt`` / ``send_tool_result`` / ``update`` / ``close``, and ``async for event in session`` for the
neutral events (``events.py``). ``WireSession`` implements it over ``shared/io/websocket.Session`` with a
host's codec (``codec.RealtimeCodec``): it reads frames only while the user iterates (no background task, so
nothing leaks when the user stops), answers what the codec asks answered, binds tool calls to itself (so
``await call.run(tools)`` works), prices each finished response, and remembers how much of the current answer
was handed to the user so ``interrupt()`` can truncate what was not played. ``SyncRealtimeSession`` is the same
session for sync code, on a private event loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Sequence
from typing import Any, TypeVar

from ..errors import ConfigurationError, ProtocolError, SessionClosed
from .codec import Frame, RealtimeCodec, Reply
from .config import SessionConfig
from .events import (
    AudioOut,
    Closed,
    RealtimeEvent,
    RealtimeUsage,
    ResponseDone,
    ResponseStarted,
    ResumeHandle,
    SessionStarted,
    ToolCallRequest,
)

__all__ = ["RealtimeSession", "SyncRealtimeSession", "WireSession"]

T = TypeVar("T")
Pricer = Callable[[RealtimeUsage], "float | None"]


class RealtimeSession(ABC):
    """One live conversation with a voice model (see the module docstring). ``async with`` closes it."""

    #: the host (or cascade) this session runs on
    name: str
    config: SessionConfig
    session_id: str | None = None
    #: the latest handle the host offered for resuming this session on a new socket (None: not resumable)
    resume_handle: str | None = None

    @abstractmethod
    async def send_audio(self, chunk: bytes) -> None:
        """Send a chunk of the user's audio, in the session's input format."""

    @abstractmethod
    async def commit(self) -> None:
        """End the user's audio turn (with manual turn detection; server VAD commits by itself)."""

    @abstractmethod
    async def send_text(self, text: str, *, respond: bool = False) -> None:
        """Add a user text message (and ask for a response when ``respond``)."""

    @abstractmethod
    async def respond(self, *, instructions: str | None = None) -> None:
        """Ask for a response now."""

    @abstractmethod
    async def interrupt(self, *, played_ms: int | None = None) -> None:
        """Barge-in: cancel the response under way and drop what the user has not heard. ``played_ms`` is how
        much of the current answer was played (default: what this session handed out)."""

    @abstractmethod
    async def send_tool_result(self, call_id: str, output: str, *, name: str | None = None,
                               respond: bool = True) -> None:
        """Return a tool's result (``ToolCallRequest.run`` calls this)."""

    def _check_played(self, played_ms: object) -> None:
        """``interrupt``'s ``played_ms``, checked the same way by every session: None or whole ms, 0 or more."""
        if played_ms is not None and (isinstance(played_ms, bool) or not isinstance(played_ms, int)
                                      or played_ms < 0):
            raise ConfigurationError(f"played_ms must be a whole number of ms, 0 or more, not {played_ms!r}",
                                     host=self.name)

    def _check_tool_result(self, call_id: object, output: object) -> None:
        """``send_tool_result``'s arguments, checked the same way by every session (before anything is sent)."""
        if not isinstance(call_id, str) or not call_id:
            raise ConfigurationError("send_tool_result needs the call_id of the tool call", host=self.name)
        if not isinstance(output, str):
            raise ConfigurationError(f"a tool result is text (json.dumps a value), not {type(output).__name__}",
                                     host=self.name)

    @abstractmethod
    async def update(self, **changes: Any) -> None:
        """Change the session's configuration (voice, instructions, tools, turn_detection ...)."""

    @abstractmethod
    async def close(self) -> None:
        """End the session (closing twice is harmless)."""

    @abstractmethod
    def events(self) -> AsyncIterator[RealtimeEvent]:
        """The session's events until it closes."""

    def __aiter__(self) -> AsyncIterator[RealtimeEvent]:
        return self.events()

    async def __aenter__(self) -> RealtimeSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} model={self.config.model!r} id={self.session_id!r}>"


class WireSession(RealtimeSession):
    """A realtime session on a websocket, in the vocabulary of ``codec``. Made by a host's realtime endpoint
    (``providers/base/realtime.py``): ``await WireSession.start(socket, codec, config, ...)``."""

    def __init__(self, socket: Any, codec: RealtimeCodec, config: SessionConfig, *, name: str,
                 price: Pricer | None = None) -> None:
        self._socket = socket
        self._codec = codec
        self.config = config
        self.name = name
        self._price = price
        self._pending: deque[RealtimeEvent] = deque()
        self._closing = False
        self._done = False
        self._played_ms = 0.0

    @classmethod
    async def start(cls, socket: Any, codec: RealtimeCodec, config: SessionConfig, *, name: str,
                    price: Pricer | None = None) -> WireSession:
        """Open the session: ``hello`` frames, wait for the host's start, then the ``configure`` frames. Events
        read while waiting (the start itself included) are kept for the user's first iteration."""
        session = cls(socket, codec, config, name=name, price=price)
        try:
            await session._send(codec.hello(config))
            async for event in session._read():
                session._pending.append(event)
                if isinstance(event, SessionStarted):
                    break
            else:
                raise SessionClosed(f"{name} closed the realtime session before it started", host=name)
            await session._send(codec.configure(config))
        except BaseException:
            await socket.close()
            raise
        return session

    async def _send(self, frames: Sequence[Frame]) -> None:
        if self._done:
            raise SessionClosed(f"the realtime session on {self.name} is closed", host=self.name)
        for frame in frames:
            await self._socket.send(self._codec.dump(frame))

    async def _read(self) -> AsyncIterator[RealtimeEvent]:
        """Events from the socket until it closes: a normal close ends with ``Closed``, any other raises the
        host's typed error."""
        while self._pending:  # what start() read while waiting for the host's start
            yield self._pending.popleft()
        if self._done:
            return
        codec = self._codec
        while True:
            try:
                message = await self._socket.receive()
            except SessionClosed as exc:
                self._done = True
                code = exc.close_code or 1006
                if code in (1000, 1001) or self._closing:
                    yield Closed(code, exc.close_reason or "")
                    return
                mapped = codec.close_error(code, exc.close_reason or "")
                if mapped is not None:
                    raise mapped from None
                raise
            try:
                frame = codec.load(message)
            except ValueError as exc:
                raise ProtocolError(f"{self.name} sent a realtime frame rehost cannot read: {exc}",
                                    host=self.name) from None
            for item in codec.decode(frame):
                if isinstance(item, Reply):
                    await self._socket.send(codec.dump(item.frame))
                    continue
                yield self._seen(item)

    def _seen(self, event: RealtimeEvent) -> RealtimeEvent:
        """Bookkeeping on each event on its way out: ids, resume handles, played audio, tool binding, cost."""
        if isinstance(event, AudioOut):
            self._played_ms += event.duration_ms
        elif isinstance(event, ResponseStarted):
            self._played_ms = 0.0
        elif isinstance(event, ToolCallRequest):
            return dataclasses.replace(event, session=self)
        elif isinstance(event, ResponseDone):
            calls = tuple(dataclasses.replace(c, session=self) for c in event.tool_calls)
            cost = event.cost
            if cost is None and event.usage is not None and self._price is not None:
                cost = self._price(event.usage)
            return dataclasses.replace(event, tool_calls=calls, cost=cost)
        elif isinstance(event, SessionStarted):
            self.session_id = event.session_id or self.session_id
        elif isinstance(event, ResumeHandle):
            self.resume_handle = event.handle if event.resumable else None
        return event

    def events(self) -> AsyncIterator[RealtimeEvent]:
        # (the socket's own generator, which hands out what start() kept first: one generator between the
        # socket and the user, not two, on a path that can carry thousands of audio chunks a minute)
        return self._read()

    async def send_audio(self, chunk: bytes) -> None:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise ConfigurationError(f"send_audio takes bytes of audio, not {type(chunk).__name__}", host=self.name)
        if len(chunk):
            await self._send(self._codec.audio(bytes(chunk)))

    async def commit(self) -> None:
        await self._send(self._codec.commit())

    async def send_text(self, text: str, *, respond: bool = False) -> None:
        if not isinstance(text, str) or not text:
            raise ConfigurationError("send_text takes a non-empty str", host=self.name)
        await self._send(self._codec.text(text))
        if respond:
            await self.respond()

    async def respond(self, *, instructions: str | None = None) -> None:
        await self._send(self._codec.respond(instructions))

    async def interrupt(self, *, played_ms: int | None = None) -> None:
        self._check_played(played_ms)
        played = int(self._played_ms) if played_ms is None else played_ms
        await self._send(self._codec.interrupt(played))
        self._played_ms = 0.0

    async def send_tool_result(self, call_id: str, output: str, *, name: str | None = None,
                               respond: bool = True) -> None:
        self._check_tool_result(call_id, output)
        await self._send(self._codec.tool_result(call_id, output, name, respond))

    async def update(self, **changes: Any) -> None:
        config = self.config.updated(**changes)
        await self._send(self._codec.update(config))
        self.config = config

    async def close(self) -> None:
        self._closing = True
        self._done = True
        await self._socket.close()


class SyncRealtimeSession:
    """A realtime session for sync code: the async session lives on a private event loop in a daemon thread;
    each method waits for its result there, and iterating yields the same events."""

    def __init__(self, opener: Callable[[], Awaitable[RealtimeSession]], *, name: str) -> None:
        self.name = name
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"rehost-realtime-{name}", daemon=True)
        self._thread.start()
        try:
            self._session: RealtimeSession = self._run(self._open(opener))
        except BaseException:
            self._stop()
            raise
        self._events: AsyncIterator[RealtimeEvent] | None = None

    @staticmethod
    async def _open(opener: Callable[[], Awaitable[RealtimeSession]]) -> RealtimeSession:
        return await opener()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    @property
    def config(self) -> SessionConfig:
        return self._session.config

    @property
    def session_id(self) -> str | None:
        return self._session.session_id

    def send_audio(self, chunk: bytes) -> None:
        self._run(self._session.send_audio(chunk))

    def commit(self) -> None:
        self._run(self._session.commit())

    def send_text(self, text: str, *, respond: bool = False) -> None:
        self._run(self._session.send_text(text, respond=respond))

    def respond(self, *, instructions: str | None = None) -> None:
        self._run(self._session.respond(instructions=instructions))

    def interrupt(self, *, played_ms: int | None = None) -> None:
        self._run(self._session.interrupt(played_ms=played_ms))

    def send_tool_result(self, call_id: str, output: str, *, name: str | None = None, respond: bool = True) -> None:
        self._run(self._session.send_tool_result(call_id, output, name=name, respond=respond))

    def update(self, **changes: Any) -> None:
        self._run(self._session.update(**changes))

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            self._run(self._session.close())
        finally:
            self._stop()

    async def _next(self) -> RealtimeEvent | None:
        if self._events is None:
            self._events = self._session.events()
        try:
            return await self._events.__anext__()
        except StopAsyncIteration:
            return None

    def __iter__(self) -> Iterator[RealtimeEvent]:
        while True:
            event = self._run(self._next())
            if event is None:
                return
            yield event

    def __enter__(self) -> SyncRealtimeSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
