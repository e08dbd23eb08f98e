"""Incremental server-sent-events decoder (the WHATWG event-stream format).

Written here rather than taken from a library because it sits on the streaming hot path: it works on bytes,
splits lines once per network chunk, and leaves JSON parsing to the dialect so each event is parsed exactly
once. It accepts ``\\n``, ``\\r\\n`` and ``\\r`` line ends, including a ``\\r\\n`` split across two chunks,
skips comment lines (keep-alives such as ``: OPENROUTER PROCESSING``), and joins multi-line ``data``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ProtocolError

__all__ = ["SSEDecoder", "SSEEvent"]

_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True, frozen=True)
class SSEEvent:
    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Feed it bytes as they arrive; it returns the events completed so far."""

    __slots__ = ("_buf", "_cr", "_data", "_event", "_held", "_held_size", "_id", "_retry", "_started", "comments",
                 "ended_cleanly", "max_event_bytes")

    def __init__(self, max_event_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_event_bytes = max_event_bytes
        self._held: list[bytes] = []
        self._held_size = 0
        self._started = False
        self._buf = b""
        self._cr = False
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None
        self._retry: int | None = None
        self.comments = 0
        self.ended_cleanly = True

    def feed(self, chunk: bytes) -> list[SSEEvent]:
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
        if b"\n" not in chunk:
            # no line ends here: keep the piece aside (joining only when a line completes keeps long lines linear)
            self._held.append(chunk)
            self._held_size += len(chunk)
            if self._held_size + len(self._buf) > self.max_event_bytes:
                raise ProtocolError(f"a stream line is longer than {self.max_event_bytes} bytes")
            return []
        if self._held:
            self._buf += b"".join(self._held)
            self._held.clear()
            self._held_size = 0
        buf = self._buf + chunk if self._buf else chunk
        lines = buf.split(b"\n")
        self._buf = lines.pop()
        out: list[SSEEvent] = []
        for line in lines:
            self._line(line, out)
        return out

    def _skip_bom(self, chunk: bytes) -> bytes:
        """A UTF-8 byte-order mark at the very start of the stream is not part of the first line."""
        head = self._buf + chunk
        if len(head) < 3 and _BOM.startswith(head):
            self._buf = head  # could still become a BOM: wait for more bytes
            return b""
        self._started = True
        self._buf = b""
        return head[3:] if head.startswith(_BOM) else head

    def close(self) -> list[SSEEvent]:
        """End of stream: dispatch what is complete; an unterminated last line marks the stream as cut."""
        out: list[SSEEvent] = []
        if self._held:
            self._buf += b"".join(self._held)
            self._held.clear()
            self._held_size = 0
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
