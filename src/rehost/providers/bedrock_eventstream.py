"""AWS's binary event-stream framing (``application/vnd.amazon.eventstream``), as Bedrock's ConverseStream sends
it: a decoder that buffers across arbitrary chunk boundaries, and the encoder the emulator and tests frame with.

Written here rather than taken from botocore because it is the streaming hot path (and botocore is an optional
extra): each message is checked and split with ``struct`` and ``zlib.crc32`` over a ``memoryview`` of one buffer,
without copying a frame until its payload is handed on, and the payload's JSON is left to the dialect so it is
parsed exactly once. AWS-specific, so it lives with the Bedrock host rather than in ``shared/io``.

A message (botocore ``eventstream.py``, HOSTS-MORE §1.6)::

    total_length u32 BE | headers_length u32 BE | prelude_crc u32 BE (CRC32 of the first 8 bytes)
    headers (headers_length bytes) | payload | message_crc u32 BE (CRC32 of every byte before it)

A header is ``name_len u8 | name | type u8 | value``; the types are 0 true, 1 false, 2 int8, 3 int16, 4 int32,
5 int64, 6 bytes (u16 length), 7 string (u16 length), 8 timestamp (int64 ms), 9 UUID (16 bytes). A CRC that
does not match, a length out of AWS's limits or a header of an unknown type is a ``ProtocolError``: a corrupt
stream is never decoded into a plausible answer.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..shared.errors import ProtocolError
from ..shared.sse import SSEEvent

__all__ = ["EventMessage", "EventStreamDecoder", "encode_message", "event_frame", "exception_frame"]

_PRELUDE = 12
#: AWS's limits on one message (botocore ``_MAX_HEADERS_LENGTH`` / ``_MAX_PAYLOAD_LENGTH``)
MAX_HEADERS = 128 * 1024
MAX_PAYLOAD = 24 * 1024 * 1024
_HEADER_CACHE = 64
_U32 = struct.Struct(">I")
_PRELUDE_FMT = struct.Struct(">III")
_U16 = struct.Struct(">H")
_INTS = {2: struct.Struct(">b"), 3: struct.Struct(">h"), 4: struct.Struct(">i"), 5: struct.Struct(">q"),
         8: struct.Struct(">q")}


@dataclass(slots=True)
class EventMessage(SSEEvent):
    """One decoded message, shaped as an event the chat loop hands to a stream state.

    ``event`` is the ``:event-type`` (for ``:message-type`` ``exception`` the ``:exception-type``, for ``error``
    the ``:error-code``), ``data`` the payload as text (JSON for Bedrock), ``message_type`` the
    ``:message-type`` and ``headers`` every header as decoded. Read-only by use, not frozen (as SSEEvent)."""

    message_type: str = "event"
    headers: Mapping[str, Any] = field(default_factory=dict)


def _headers(view: memoryview, host: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pos, end = 0, len(view)
    try:
        while pos < end:
            size = view[pos]
            name = bytes(view[pos + 1:pos + 1 + size]).decode("utf-8")
            pos += 1 + size
            kind = view[pos]
            pos += 1
            value: Any
            if kind in (6, 7):
                (length,) = _U16.unpack_from(view, pos)
                raw = bytes(view[pos + 2:pos + 2 + length])
                if len(raw) != length:
                    raise IndexError(name)
                value = raw.decode("utf-8") if kind == 7 else raw
                pos += 2 + length
            elif kind in (0, 1):
                value = kind == 0
            elif kind in _INTS:
                fmt = _INTS[kind]
                (value,) = fmt.unpack_from(view, pos)
                pos += fmt.size
            elif kind == 9:
                value = bytes(view[pos:pos + 16])
                if len(value) != 16:
                    raise IndexError(name)
                pos += 16
            else:
                raise ProtocolError(f"{host} sent an event-stream header {name!r} of unknown type {kind}", host=host)
            out[name] = value
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise ProtocolError(f"{host} sent event-stream headers that do not parse ({type(exc).__name__})",
                            host=host) from exc
    return out


class EventStreamDecoder:
    """Feed it the stream's bytes in chunks of any size; it returns the messages completed so far.

    Both CRCs of every message are checked. ``close`` raises when the stream stopped inside a message."""

    __slots__ = ("_buf", "_seen_headers", "host", "messages")

    def __init__(self, host: str = "bedrock") -> None:
        self._buf = bytearray()
        #: header blocks already parsed: a stream repeats a handful (one per event type), and parsing them is
        #: most of a message's cost; the parsed dicts are shared between messages, so they are read-only
        self._seen_headers: dict[bytes, dict[str, Any]] = {}
        self.host = host
        #: messages decoded so far (a count, for tests and benchmarks)
        self.messages = 0

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        buf = self._buf
        buf += chunk
        out: list[SSEEvent] = []
        pos = 0
        size = len(buf)
        view = memoryview(buf)
        try:
            while size - pos >= _PRELUDE:
                total, headers_length, prelude_crc = _PRELUDE_FMT.unpack_from(view, pos)
                if size - pos < total <= MAX_HEADERS + MAX_PAYLOAD + 16:
                    if zlib.crc32(view[pos:pos + 8]) != prelude_crc:
                        raise self._crc("prelude")
                    break
                out.append(self._message(view[pos:pos + total], total, headers_length, prelude_crc))
                pos += total
        finally:
            view.release()
        if pos:
            del buf[:pos]
        return out

    def _message(self, view: memoryview, total: int, headers_length: int, prelude_crc: int) -> EventMessage:
        if zlib.crc32(view[:8]) != prelude_crc:
            raise self._crc("prelude")
        if headers_length > MAX_HEADERS or total < headers_length + 16 or total - headers_length - 16 > MAX_PAYLOAD:
            raise ProtocolError(f"{self.host} sent an event-stream message of impossible lengths (total {total}, "
                                f"headers {headers_length})", host=self.host)
        (message_crc,) = _U32.unpack_from(view, total - 4)
        if zlib.crc32(view[8:total - 4], prelude_crc) != message_crc:
            raise self._crc("message")
        raw_headers = bytes(view[_PRELUDE:_PRELUDE + headers_length])
        headers = self._seen_headers.get(raw_headers)
        if headers is None:
            headers = _headers(memoryview(raw_headers), self.host)
            if len(self._seen_headers) < _HEADER_CACHE:
                self._seen_headers[raw_headers] = headers
        payload = bytes(view[_PRELUDE + headers_length:total - 4])
        message_type = str(headers.get(":message-type", "event"))
        if message_type == "exception":
            name = headers.get(":exception-type")
        elif message_type == "error":
            name = headers.get(":error-code")
        else:
            name = headers.get(":event-type")
        self.messages += 1
        try:
            data = payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(f"{self.host} sent an event-stream payload that is not UTF-8", host=self.host) from exc
        return EventMessage(data=data, event=str(name or ""), message_type=message_type, headers=headers)

    def _crc(self, which: str) -> ProtocolError:
        return ProtocolError(f"{self.host} sent an event-stream message whose {which} CRC does not match (the "
                             "stream is corrupt)", host=self.host)

    def close(self) -> list[SSEEvent]:
        if self._buf:
            left = len(self._buf)
            self._buf.clear()
            raise ProtocolError(f"{self.host} ended the event stream inside a message ({left} bytes left over)",
                                host=self.host)
        return []


# ---------------------------------------------------------------------------------------------- encoding


def _header_bytes(headers: Mapping[str, str | bytes | bool | int]) -> bytes:
    parts: list[bytes] = []
    for name, value in headers.items():
        key = name.encode("utf-8")
        parts.append(bytes([len(key)]) + key)
        if isinstance(value, bool):
            parts.append(bytes([0 if value else 1]))
        elif isinstance(value, int):
            parts.append(bytes([4]) + struct.pack(">i", value))
        elif isinstance(value, bytes):
            parts.append(bytes([6]) + _U16.pack(len(value)) + value)
        else:
            raw = value.encode("utf-8")
            parts.append(bytes([7]) + _U16.pack(len(raw)) + raw)
    return b"".join(parts)


def encode_message(headers: Mapping[str, str | bytes | bool | int], payload: bytes) -> bytes:
    """One event-stream message: prelude, both CRCs, headers (strings as type 7, as AWS sends them)."""
    head = _header_bytes(headers)
    total = _PRELUDE + len(head) + len(payload) + 4
    prelude = struct.pack(">II", total, len(head))
    prelude += _U32.pack(zlib.crc32(prelude))
    body = prelude + head + payload
    return body + _U32.pack(zlib.crc32(body))


def event_frame(event_type: str, payload: bytes) -> bytes:
    """An ``event`` message with Bedrock's three headers."""
    return encode_message({":event-type": event_type, ":content-type": "application/json",
                           ":message-type": "event"}, payload)


def exception_frame(exception_type: str, payload: bytes) -> bytes:
    """An ``exception`` message (an error inside a 200 stream)."""
    return encode_message({":exception-type": exception_type, ":content-type": "application/json",
                           ":message-type": "exception"}, payload)
