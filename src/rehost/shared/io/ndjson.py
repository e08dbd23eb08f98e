"""Incremental newline-delimited JSON (NDJSON, ``application/x-ndjson``) line splitter.

Some hosts stream one JSON object per line instead of server-sent events (Ollama's native API). This is the
twin of :mod:`rehost.shared.io.sse` for that framing: it works on bytes, splits lines once per network chunk,
holds a partial line until its end arrives (so a line, or a UTF-8 character, split across chunks is whole
when it is handed on), and caps a line at the same size as an SSE event. It does not parse JSON: each line
comes out as an :class:`SSEEvent` whose ``data`` is the line, so one stream-state protocol serves both
framings and every line is parsed exactly once, by the dialect.
"""

from __future__ import annotations

from ..errors import ProtocolError
from .lines import LineSplitter
from .sse import SSEEvent

__all__ = ["NDJSONDecoder"]


class NDJSONDecoder(LineSplitter):
    """Feed it bytes as they arrive; it returns the lines completed so far (blank lines are skipped)."""

    __slots__ = ("ended_cleanly",)

    def __init__(self, max_event_bytes: int = 64 * 1024 * 1024) -> None:
        super().__init__(max_event_bytes)
        self.ended_cleanly = True

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if not self._started:
            chunk = self._skip_bom(chunk)
            if not chunk:
                return []
        lines = self._complete_lines(chunk)
        if len(self._buf) > self.max_event_bytes:
            raise ProtocolError(f"a stream line is longer than {self.max_event_bytes} bytes")
        return [SSEEvent(self._decode(line)) for line in lines if line.strip()]

    def close(self) -> list[SSEEvent]:
        """End of stream: a last line without its newline is still handed on (the dialect decides whether it
        is a whole object), and marks the stream as not ended cleanly."""
        if self._held:
            self._join_held()
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
