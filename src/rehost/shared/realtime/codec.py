"""The hooks a host's realtime vocabulary implements, so one session loop (``session.WireSession``) serves
OpenAI GA and beta, Azure, xAI and Gemini Live alike.

A codec is made per session (it may keep state: the item being played, the response under way, usage so far)
by the host's ``RealtimeEndpoint.codec(config)`` in ``providers/``. Encoders return the frames to send (mappings,
serialised by ``dump``); ``decode`` turns one received frame into neutral events, and may ask for frames to be
sent back (a ``Reply``: e.g. answering a host-level ``ping`` event). Nothing here names a host.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from ..errors import RehostError
from .config import SessionConfig
from .events import RealtimeEvent

__all__ = ["Frame", "JsonFrames", "RealtimeCodec", "Reply"]

#: one frame of a host's vocabulary, before serialisation
Frame: TypeAlias = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Reply:
    """A frame ``decode`` wants sent back to the host at once."""

    frame: Frame


class RealtimeCodec(Protocol):
    """One host's realtime vocabulary (see the module docstring)."""

    #: True when the host speaks first (OpenAI's ``session.created``) and ``configure`` frames go out after it;
    #: False when the client opens with ``hello`` and waits for the host's answer (Gemini's ``setupComplete``)
    server_speaks_first: bool

    def hello(self, config: SessionConfig) -> Sequence[Frame]:
        """Frames sent as soon as the socket is open, before the host has said anything."""
        ...

    def configure(self, config: SessionConfig) -> Sequence[Frame]:
        """Frames sent once the session started: configuration, seeded history."""
        ...

    def audio(self, chunk: bytes) -> Sequence[Frame]:
        """Frames carrying one chunk of the user's audio (in the session's input format)."""
        ...

    def commit(self) -> Sequence[Frame]:
        """Frames ending the user's audio turn (manual turn detection)."""
        ...

    def text(self, text: str) -> Sequence[Frame]:
        """Frames adding one user text message."""
        ...

    def respond(self, instructions: str | None) -> Sequence[Frame]:
        """Frames asking for a response now."""
        ...

    def interrupt(self, played_ms: int | None) -> Sequence[Frame]:
        """Frames cancelling the response under way and truncating the audio not played (barge-in)."""
        ...

    def tool_result(self, call_id: str, output: str, name: str | None, respond: bool) -> Sequence[Frame]:
        """Frames returning one tool result (and asking for the next response when ``respond``)."""
        ...

    def update(self, config: SessionConfig) -> Sequence[Frame]:
        """Frames changing the session's configuration to ``config``."""
        ...

    def decode(self, frame: Frame) -> Sequence[RealtimeEvent | Reply]:
        """The neutral events one received frame means (none for frames that carry nothing for the user)."""
        ...

    def close_error(self, code: int, reason: str) -> RehostError | None:
        """The typed error a close code means on this host (None: the generic SessionClosed)."""
        ...

    def dump(self, frame: Frame) -> str | bytes:
        """One frame as the message to send."""
        ...

    def load(self, message: str | bytes) -> Frame:
        """One received message as a frame."""
        ...


class JsonFrames:
    """The defaults most vocabularies want: JSON text frames both ways, no hello, no special close codes.
    A codec class inherits this and overrides what its host does differently."""

    server_speaks_first: bool = True

    def hello(self, config: SessionConfig) -> Sequence[Frame]:
        return ()

    def close_error(self, code: int, reason: str) -> RehostError | None:
        return None

    def dump(self, frame: Frame) -> str | bytes:
        return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)

    def load(self, message: str | bytes) -> Frame:
        value = json.loads(message)
        if not isinstance(value, dict):
            raise ValueError(f"a realtime frame is a JSON object, not {type(value).__name__}")
        return value
