"""The base of every dialect's responder: one answer, and what each fault does to it (``_Responder.play``), so
a fault means the same thing on every host style."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from .quirks import STYLES
from .script import Script
from .wire import _END, _chunk, _emulator_error, _head, _paced, _sleep_until

if TYPE_CHECKING:
    from .server import _Protocol

_CREATED = 1767225600


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(c, dict) and "text" in c for c in content):
        return "".join(str(c["text"]) for c in content)
    return json.dumps(content)


def _last_user_text(request: dict[str, Any]) -> str:
    for message in reversed(request.get("messages") or request.get("input") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            return _text_of(message.get("content"))
    if isinstance(request.get("input"), str):
        return str(request["input"])
    for content in reversed(request.get("contents") or []):
        if content.get("role") == "user":
            return "".join(p.get("text", "") for p in content.get("parts") or [])
    if isinstance(request.get("prompt"), str):
        return str(request["prompt"])
    return ""


_STATUS_FAULTS = frozenset({"400", "401", "429", "500", "502", "503", "529"})
_HTML = b"<html><body>Service temporarily unavailable</body></html>"


class _Responder:
    """One answer in one dialect, and what each fault does to it.

    Subclasses give the bodies (the answer, its stream frames, the host's error bodies); ``play`` holds the
    fault logic, so a fault means the same thing on every host style. A fault a dialect has no form for is
    listed in ``no_form`` and answered with an emulator error naming it: never quietly answered as if no
    fault had been asked for, which would let a test pass for the wrong reason."""

    #: how this dialect is named in the emulator's refusals
    dialect = ""
    #: the content type of a stream
    stream_type = "text/event-stream"
    #: faults this dialect has no form for
    no_form: frozenset[str] = frozenset()
    #: faults it has no form for in a non-streamed answer only
    no_form_whole: frozenset[str] = frozenset()

    def __init__(self, style: str, script: Script, request: dict[str, Any], *, stream: bool) -> None:
        self.auth = ""
        self.style = style
        self.spec = STYLES[style]
        self.script = script
        self.request = request
        self.stream = stream
        self.model = str(request.get("model") or "")
        self.echo = _last_user_text(request) if script.echo else None
        self.pieces = script.tokens(self.echo)
        self.output_tokens = script.output_count(self.pieces)
        prompt = script.prompt_tokens
        self.prompt_tokens = prompt if prompt is not None else max(1, len(json.dumps(
            request.get("messages") or request.get("contents") or request.get("input") or request.get("prompt")
            or "")) // 4)
        self.headers: dict[str, str] = {}

    # -- what subclasses give -----------------------------------------------------------------------------
    def whole(self) -> bytes:
        """The whole HTTP response of a successful non-streamed answer."""
        raise NotImplementedError

    def events(self) -> list[tuple[str, bytes]]:
        """(kind, frame) of a successful stream: kind is "first" for the first token, "token" for later
        ones, "meta" otherwise."""
        raise NotImplementedError

    def error_response(self, status: int) -> bytes:
        """The host's own error response for an HTTP error status (401 included)."""
        raise NotImplementedError

    def blocked(self) -> bytes:
        """A refusal (with HTTP 200, as hosts send them), streamed or not."""
        raise NotImplementedError

    def inband_frame(self) -> bytes:
        """An error inside a 200 stream; the stream ends after it."""
        raise NotImplementedError

    def inband_whole(self) -> bytes:
        """An error in the body of a 200 non-streamed answer."""
        raise NotImplementedError

    def malformed_frame(self) -> bytes:
        return b'data: {"choices": [{"delta": {"content": "oops"\n\n'

    def malformed_body(self) -> bytes:
        return b'{"choices": [{"message": '

    def keepalive_frame(self) -> bytes:
        return b": keep-alive\n\n"

    def oversize_open(self) -> bytes:
        """The start of one endless JSON value (or stream event)."""
        return b'data: {"padding": "' if self.stream else b'{"padding": "'

    # -- playing ------------------------------------------------------------------------------------------
    async def play(self, conn: _Protocol, start: float) -> None:
        """Answer, timing every delay from ``start``, the moment the request arrived."""
        s, fault = self.script, self.script.fault
        if fault is not None and (fault in self.no_form or (not self.stream and fault in self.no_form_whole)):
            conn.write(_emulator_error(f"{self.dialect} has no form for the {fault} fault"
                                       f"{'' if self.stream else ' in a non-streamed answer'}"))
            return
        if fault in _STATUS_FAULTS:
            conn.write(self.error_response(int(fault)))
            return
        if fault == "reset_before":
            conn.reset()
            return
        if fault == "wrong_content_type":
            conn.write(_head(200, "text/html", length=len(_HTML)) + _HTML)
            return
        if fault == "blocked":
            conn.write(self.blocked())
            return
        if fault == "oversize":
            conn.write(_head(200, self.stream_type if self.stream else "application/json"))
            conn.write(_chunk(self.oversize_open()))
            block = b"x" * (1 << 20)
            for _ in range(s.oversize_bytes >> 20):
                conn.write(_chunk(block))
                await conn.drain()
            conn.write(_chunk(b'"}\n\n' if self.stream else b'"}') + _END)
            return
        if not self.stream:
            await self._play_whole(conn, start)
            return
        conn.write(_head(200, self.stream_type, extra=self.headers))
        events = self.events()
        cut = max(2, len(events) // 2)
        async for i, data in _paced(events, start, s.ttft, s.inter_token):
            if i == cut:
                if fault == "reset_mid_stream":
                    conn.reset()
                    return
                if fault == "truncated":
                    conn.write(_END)
                    return
                if fault == "malformed_chunk":
                    conn.write(_chunk(self.malformed_frame()) + _END)
                    return
                if fault == "inband_error":
                    conn.write(_chunk(self.inband_frame()) + _END)
                    return
                if fault == "stall":
                    while not conn.closed:
                        await asyncio.sleep(0.05)
                    return
            if fault == "keepalive" or (self.spec.get("keepalive") and i == 0):
                conn.write(_chunk(self.keepalive_frame()))
            conn.write(_chunk(data))
            await conn.drain()
        conn.write(_END)

    async def _play_whole(self, conn: _Protocol, start: float) -> None:
        """A non-streamed answer, and what each fault does to one."""
        s, fault = self.script, self.script.fault
        whole = self.whole()
        if fault == "stall":
            while not conn.closed:
                await asyncio.sleep(0.05)
            return
        if fault in ("reset_mid_stream", "truncated"):
            conn.write(whole[: len(whole) - 20])  # the body is cut short: a reset, or a clean close
            if fault == "reset_mid_stream":
                conn.reset()
            else:
                await asyncio.sleep(0.01)
                conn.abort()
            return
        if fault == "malformed_chunk":
            data = self.malformed_body()
            conn.write(_head(200, "application/json", length=len(data), extra=self.headers) + data)
            return
        if fault == "inband_error":
            conn.write(self.inband_whole())
            return
        await _sleep_until(start + s.ttft + s.inter_token * max(0, self.output_tokens - 1))
        if fault == "keepalive":  # DeepSeek sends blank lines while a non-streamed answer is queued
            head, _, body = whole.partition(b"\r\n\r\n")
            body = b"\n\n" + body
            head = head.replace(f"content-length: {len(body) - 2}".encode(), f"content-length: {len(body)}".encode())
            conn.write(head + b"\r\n\r\n" + body)
            return
        conn.write(whole)


# ---------------------------------------------------------------------------------------------- OpenAI chat, Gemini
