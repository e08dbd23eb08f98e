"""Incremental server-sent-events decoder (the WHATWG event-stream format).

Written here rather than taken from a library because it sits on the streaming hot path: it works on bytes,
splits lines once per network chunk, and leaves JSON parsing to the dialect so each event is parsed exactly
once. It accepts ``\\n``, ``\\r\\n`` and ``\\r`` line ends, including a ``\\r\\n`` split across two chunks,
skips comment lines (keep-alives such as ``: OPENROUTER PROCESSING``), and joins multi-line ``data``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ProtocolError
from .lines import LineSplitter

__all__ = ["SSEDecoder", "SSEEvent"]


@dataclass(slots=True)
class SSEEvent:
    """One event of the stream, handed to a dialect's stream state and read, never changed. Not a frozen
    dataclass: one is built per event on the streaming hot path, and a frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__`` (1.15 us for these four fields against 0.37 us, measured)."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class SSEDecoder(LineSplitter):
    """Feed it bytes as they arrive; it returns the events completed so far."""

    __slots__ = ("_cr", "_data", "_event", "_id", "_retry", "comments", "ended_cleanly")

    def __init__(self, max_event_bytes: int = 64 * 1024 * 1024) -> None:
        super().__init__(max_event_bytes)
        self._cr = False
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None
        self.comments = 0
        self.ended_cleanly = True

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        head = chunk[:6]
        if head in (b"data: ", b"event:") and self._started and not (
                self._cr or self._buf or self._held or self._data or self._event):
            # the usual chunk, exactly one whole event with nothing pending from the last: read without splitting
            # lines (the streaming hot path; what the general path below makes of it)
            event = self._whole_event(chunk)
            if event is not None:
                return [event]
        if not self._started:
            chunk = self._skip_bom(chunk)
            if not chunk:
                return []
        if self._cr:
            chunk = b"\r" + chunk
            self._cr = False
        if b"\r" in chunk:
            if chunk.endswith(b"\r"):
                # may be the first half of "\r\n": decide when the next chunk comes
                chunk = chunk[:-1]
                self._cr = True
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = self._complete_lines(chunk)
        if not lines:
            return []
        out: list[SSEEvent] = []
        line_of = self._line
        try:
            for line in lines:
                # the two lines of almost every event, read here without a call each: "data: ..." and the
                # blank line that ends the event (the streaming hot path); every other line goes to _line
                if line[:6] == b"data: ":
                    self._data.append(line[6:].decode("utf-8"))
                elif line or not self._data:
                    line_of(line, out)
                else:
                    data = self._data
                    out.append(SSEEvent(data[0] if len(data) == 1 else "\n".join(data), self._event or "message",
                                        self._id, self._retry))
                    self._data = []
                    self._event = ""
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"event stream is not valid UTF-8: {exc}") from exc
        return out

    def _whole_event(self, chunk: bytes) -> SSEEvent | None:
        """The event of a chunk that is one data line and a blank line (LF or CRLF), or, with LF, an event line,
        a data line and a blank line (Anthropic's shape); None for anything else."""
        if chunk[-2:] == b"\n\n":
            if b"\r" in chunk:
                return None
            lines = chunk.count(b"\n")
            if lines == 2 and chunk[:6] == b"data: ":
                return SSEEvent(self._decode(chunk[6:-2]), "message", self._id, self._retry)
            if lines == 3 and chunk[:7] == b"event: ":
                name, _, line = chunk[7:-2].partition(b"\n")
                if line[:6] == b"data: ":
                    return SSEEvent(self._decode(line[6:]), self._decode(name) or "message", self._id, self._retry)
            return None
        if chunk[-4:] == b"\r\n\r\n" and chunk[:6] == b"data: " and chunk.count(b"\n") == 2 and \
                chunk.count(b"\r") == 2:
            return SSEEvent(self._decode(chunk[6:-4]), "message", self._id, self._retry)
        return None

    def close(self) -> list[SSEEvent]:
        """End of stream: dispatch what is complete; an unterminated last line marks the stream as cut."""
        out: list[SSEEvent] = []
        if self._held:
            self._join_held()
        if not self._started:
            self._started = True  # fewer than three bytes in all: they are an unterminated line
        if self._cr:
            self._cr = False
            self._line(self._buf, out)
            self._buf = b""
        if self._buf:
            self.ended_cleanly = False
            self._buf = b""
        if self._data:
            # the host ended the body without the blank line that closes the last event: keep the event
            self._line(b"", out)
        return out

    def _line(self, line: bytes, out: list[SSEEvent]) -> None:
        if not line:
            if self._data:
                out.append(SSEEvent("\n".join(self._data), self._event or "message", self._id, self._retry))
                self._data = []
            self._event = ""
            return
        if line.startswith(b"data:"):
            value = line[6:] if line.startswith(b"data: ") else line[5:]
            self._data.append(self._decode(value))
            return
        if line[0] == 0x3A:  # ":" comment / keep-alive
            self.comments += 1
            return
        name, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if name == b"event":
            self._event = self._decode(value)
        elif name == b"id":
            if b"\0" not in value:
                self._id = self._decode(value)
        elif name == b"retry":
            if value.isdigit() and len(value) <= 10:  # ASCII digits only; a longer value is not a delay
                self._retry = int(value)
        elif name == b"data":  # "data" with no colon at all
            self._data.append("")
        # any other field name is ignored, as the format requires

    @staticmethod
    def _decode(value: bytes) -> str:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"event stream is not valid UTF-8: {exc}") from exc
