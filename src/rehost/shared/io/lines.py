"""The byte-level half that both stream framings share: server-sent events (:mod:`rehost.shared.io.sse`) and
newline-delimited JSON (:mod:`rehost.shared.io.ndjson`).

It works on bytes and splits lines once per network chunk. A chunk with no line end is held aside and joined
only when a line completes, so a long line costs linear time, and the held size is capped so a host gone wrong
cannot exhaust memory. A UTF-8 byte-order mark at the very start of the stream is dropped.
"""

from __future__ import annotations

from ..errors import ProtocolError

__all__ = ["LineSplitter"]

_BOM = b"\xef\xbb\xbf"


class LineSplitter:
    """Base for the stream decoders: subclasses turn the complete lines it hands them into events."""

    __slots__ = ("_buf", "_held", "_held_size", "_started", "max_event_bytes")

    def __init__(self, max_event_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_event_bytes = max_event_bytes
        self._held: list[bytes] = []
        self._held_size = 0
        self._started = False
        self._buf = b""

    def _skip_bom(self, chunk: bytes) -> bytes:
        """A byte-order mark at the very start of the stream is not part of the first line."""
        head = self._buf + chunk
        if len(head) < 3 and _BOM.startswith(head):
            self._buf = head  # could still become a byte-order mark: wait for more bytes
            return b""
        self._started = True
        self._buf = b""
        return head[3:] if head.startswith(_BOM) else head

    def _complete_lines(self, chunk: bytes) -> list[bytes]:
        """The lines this chunk completes (without their ``\\n``); the unfinished rest stays buffered."""
        if b"\n" not in chunk:
            self._held.append(chunk)
            self._held_size += len(chunk)
            if self._held_size + len(self._buf) > self.max_event_bytes:
                raise ProtocolError(f"a stream line is longer than {self.max_event_bytes} bytes")
            return []
        if self._held:
            self._join_held()
        buf = self._buf + chunk if self._buf else chunk
        lines = buf.split(b"\n")
        self._buf = lines.pop()
        return lines

    def _join_held(self) -> None:
        self._buf += b"".join(self._held)
        self._held.clear()
        self._held_size = 0
