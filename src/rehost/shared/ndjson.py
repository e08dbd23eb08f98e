"""Incremental newline-delimited JSON (NDJSON, ``application/x-ndjson``) line splitter.

Some hosts stream one JSON object per line instead of server-sent events (Ollama's native API). This is the
twin of :mod:`rehost.shared.sse` for that framing: it works on bytes, splits lines once per network chunk,
holds a partial line until its end arrives (so a line, or a UTF-8 character, split across chunks is whole
when it is handed on), and caps a line at the same size as an SSE event. It does not parse JSON: each line
comes out as an :class:`SSEEvent` whose ``data`` is the line, so one stream-state protocol serves both
framings and every line is parsed exactly once, by the dialect.
"""

from __future__ import annotations

from .errors import ProtocolError
from .sse import SSEEvent

__all__ = ["NDJSONDecoder"]

_BOM = b"\xef\xbb\xbf"


class NDJSONDecoder:
    """Feed it bytes as they arrive; it returns the lines completed so far (blank lines are skipped)."""

    __slots__ = ("_buf", "_held", "_held_size", "_started", "ended_cleanly", "max_event_bytes")

    def __init__(self, max_event_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_event_bytes = max_event_bytes
        self._held: list[bytes] = []
        self._held_size = 0
        self._buf = b""
        self._started = False
        self.ended_cleanly = True

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if not self._started:
            head = self._buf + chunk
            if len(head) < 3 and _BOM.startswith(head):
                self._buf = head  # could still become a byte-order mark: wait for more bytes
                return []
            self._started = True
            self._buf = b""
            chunk = head[3:] if head.startswith(_BOM) else head
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
        if len(self._buf) > self.max_event_bytes:
            raise ProtocolError(f"a stream line is longer than {self.max_event_bytes} bytes")
        return [SSEEvent(self._decode(line)) for line in lines if line.strip()]

    def close(self) -> list[SSEEvent]:
        """End of stream: a last line without its newline is still handed on (the dialect decides whether it
        is a whole object), and marks the stream as not ended cleanly."""
        if self._held:
            self._buf += b"".join(self._held)
            self._held.clear()
            self._held_size = 0
        self._started = True
        rest, self._buf = self._buf, b""
        if not rest.strip():
            return []
        self.ended_cleanly = False
        return [SSEEvent(self._decode(rest))]

    @staticmethod
    def _decode(line: bytes) -> str:
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"NDJSON stream is not valid UTF-8: {exc}") from exc
