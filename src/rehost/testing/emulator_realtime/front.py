"""What every front shares: one session's two loops (the client's frames into the brain, the brain's events out
as the host's frames), the faults, and the counters tests assert on.

A front subclass says how its host greets (``greet``), what a client frame means (``handle``: calls on the
brain) and what a neutral event looks like on its wire (``encode``). The base runs them: ``run`` makes the
brain, greets, then reads and writes concurrently until either side ends, and always ends with the brain
closed and the socket closed (or aborted), so a session leaves no task behind.

Faults (``Fault``; asked for per session with ``?fault=`` or server-wide, see ``server.py``) fire once per
session, when a response has sent ``after`` pieces of content (audio, transcript or text deltas):
``drop`` (the TCP connection is cut: no close frame), ``error`` (an in-band error event; the session goes on),
``fatal_error`` (an error event, then close 1011), ``close`` (a close frame with ``code`` and ``reason``),
``stall`` (nothing more is sent, the socket stays open: the client's idle timeout must fire), ``goaway``
(Gemini's ``goAway``, then a 1001 close) and ``flood`` (the scripted brain answers with ``count`` audio deltas
unpaced: a client that does not read must not make the server buffer them). A fault a vocabulary has no form
for becomes what that host does instead (Gemini has no error event: it closes 1011 with the message).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...shared.errors import ConfigurationError
from ...shared.realtime.config import SessionConfig
from ...shared.realtime.events import AudioOut, OutputTranscriptDelta, RealtimeError, RealtimeEvent, TextOut
from ...shared.realtime.session import RealtimeSession
from .brain import BrainFactory, make_brain

__all__ = ["FAULTS", "HANDSHAKE_FAULTS", "Fault", "Front", "Stats"]

#: faults inside a session
SESSION_FAULTS = ("drop", "error", "fatal_error", "close", "stall", "goaway", "flood")
#: faults of the handshake: the upgrade is refused with this HTTP status
HANDSHAKE_FAULTS = ("401", "429", "503")
FAULTS = SESSION_FAULTS + HANDSHAKE_FAULTS


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: its name, after how many content deltas it fires, a close ``code`` / ``reason``, and for
    ``flood`` how many deltas."""

    name: str
    after: int = 2
    code: int | None = None
    reason: str | None = None
    count: int = 2000

    def __post_init__(self) -> None:
        if self.name not in FAULTS:
            raise ConfigurationError(f"the realtime emulator has no fault {self.name!r}; it has "
                                     f"{', '.join(FAULTS)}")
        if isinstance(self.after, bool) or not isinstance(self.after, int) or self.after < 0:
            raise ConfigurationError(f"a fault's after= is a whole number of deltas, not {self.after!r}")
        if self.code is not None and not (1000 <= self.code <= 4999):
            raise ConfigurationError(f"a close code is from 1000 to 4999, not {self.code!r}")

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Fault | None:
        """The fault a handshake's query asks for (``fault=close&after=3&code=4001&reason=...``), or None."""
        name = query.get("fault")
        if not name:
            return None
        try:
            after = int(query.get("after", "2"))
            code = int(query["code"]) if "code" in query else None
            count = int(query.get("count", "2000"))
        except ValueError:
            raise ConfigurationError(f"the fault's after=, code= and count= are numbers: {dict(query)}") from None
        return cls(name, after, code, query.get("reason"), count)


@dataclass
class Stats:
    """What the server saw, for tests: connections open now and in all, frames each way, the largest send
    backlog seen (bytes queued in the transport), handshakes (path, query, headers)."""

    open_connections: int = 0
    connections: int = 0
    frames_in: int = 0
    frames_out: int = 0
    audio_deltas_out: int = 0
    max_backlog: int = 0
    received: list[Any] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)


class Front(ABC):
    """One session of one host's protocol in front of a brain (see the module docstring)."""

    #: the host style, for messages
    style: str = ""

    def __init__(self, ws: Any, factory: BrainFactory, config: SessionConfig, fault: Fault | None,
                 stats: Stats) -> None:
        self.ws = ws
        self.factory = factory
        self.config = config
        self.fault = fault
        self.stats = stats
        self.brain: RealtimeSession | None = None
        self._content = 0
        self._fired = False
        self._counter = 0

    # ------------------------------------------------------------------------------------------ the host's part
    @abstractmethod
    async def greet(self) -> bool:
        """The frames before the session runs (False: the client failed the handshake; end)."""

    @abstractmethod
    async def handle(self, frame: Mapping[str, Any]) -> None:
        """One client frame: calls on the brain, and any acknowledgement the host sends itself."""

    @abstractmethod
    def encode(self, event: RealtimeEvent) -> Sequence[Mapping[str, Any]]:
        """The host's frames for one neutral event of the brain."""

    @abstractmethod
    def error_frames(self, message: str, code: str) -> Sequence[Mapping[str, Any]]:
        """The host's in-band error (empty when it has none: the fault then closes 1011)."""

    def goaway_frames(self) -> Sequence[Mapping[str, Any]]:
        """The host's notice that it will close soon (none: ``goaway`` just closes 1001)."""
        return ()

    # ------------------------------------------------------------------------------------------ helpers
    def new_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}_emu{self._counter:06d}"

    async def send(self, frame: Mapping[str, Any]) -> None:
        await self.ws.send(json.dumps(frame, separators=(",", ":")))
        self.stats.frames_out += 1
        transport = getattr(self.ws, "transport", None)
        if transport is not None:
            self.stats.max_backlog = max(self.stats.max_backlog, transport.get_write_buffer_size())

    async def send_all(self, frames: Sequence[Mapping[str, Any]]) -> None:
        for frame in frames:
            await self.send(frame)

    async def refuse(self, message: str, code: str = "invalid_request") -> None:
        """A client frame the host does not accept: its in-band error, or a 1007 close where it has none."""
        frames = self.error_frames(message, code)
        if frames:
            await self.send_all(frames)
        else:
            await self.ws.close(1007, message[:120])

    # ------------------------------------------------------------------------------------------ the loops
    async def run(self) -> None:
        self.stats.open_connections += 1
        self.stats.connections += 1
        try:
            self.brain = await make_brain(self.factory, self.config)
            if await self.greet():
                reader = asyncio.create_task(self._read())
                writer = asyncio.create_task(self._write())
                done, pending = await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
                for task in pending:
                    task.cancel()
                for task in pending:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
                for task in done:
                    exc = None if task.cancelled() else task.exception()
                    if exc is not None:
                        raise exc
        except Exception as exc:
            if not _is_closed(exc):  # the client going away is how sessions end; anything else is a bug to see
                raise
        finally:
            if self.brain is not None:
                with contextlib.suppress(Exception):
                    await self.brain.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2)
            self.stats.open_connections -= 1

    async def _read(self) -> None:
        async for message in self.ws:
            self.stats.frames_in += 1
            try:
                frame = json.loads(message)
            except ValueError:
                await self.refuse("The frame is not valid JSON.", "invalid_json")
                continue
            if not isinstance(frame, dict):
                await self.refuse("A frame is one JSON object.", "invalid_event")
                continue
            self.stats.received.append(self.kind_of(frame))
            try:
                await self.handle(frame)
            except ConfigurationError as exc:
                await self.refuse(str(exc), "invalid_value")
            except (AttributeError, KeyError, TypeError, ValueError) as exc:  # a frame of the wrong shape
                await self.refuse(f"The frame has the wrong shape: {type(exc).__name__}: {exc}", "invalid_event")

    def kind_of(self, frame: Mapping[str, Any]) -> str:
        return str(frame.get("type") or next(iter(frame), ""))

    async def _write(self) -> None:
        assert self.brain is not None
        async for event in self.brain:
            if isinstance(event, AudioOut | TextOut | OutputTranscriptDelta):
                self._content += 1
                if self.fault is not None and not self._fired and self._content > self.fault.after:
                    self._fired = True
                    if await self._fire(self.fault):
                        return
            frames = self.encode(event)
            if isinstance(event, RealtimeError) and not frames:  # a host with no error event closes instead
                await self.ws.close(1011, event.message[:120])
                return
            if isinstance(event, AudioOut):
                self.stats.audio_deltas_out += 1
            await self.send_all(frames)

    async def _fire(self, fault: Fault) -> bool:
        """Carry out ``fault``; True when the session is over."""
        name = fault.name
        if name == "drop":
            self.ws.transport.abort()
            return True
        if name == "stall":
            await asyncio.Event().wait()  # until the client goes away and the reader cancels this
        if name == "goaway":
            await self.send_all(self.goaway_frames())
            await self.ws.close(fault.code or 1001, fault.reason or "going away")
            return True
        if name in ("error", "fatal_error"):
            frames = self.error_frames(fault.reason or "The server had an error while processing your request.",
                                       "server_error")
            if frames:
                await self.send_all(frames)
                if name == "error":
                    return False
            await self.ws.close(fault.code or 1011, fault.reason or "Internal error")
            return True
        if name == "close":
            await self.ws.close(fault.code or 1011, fault.reason or "Internal error")
            return True
        return False  # flood acts on the brain (see server.py)


def _is_closed(exc: BaseException | None) -> bool:
    from websockets.exceptions import ConnectionClosed

    return isinstance(exc, ConnectionClosed | ConnectionError)
