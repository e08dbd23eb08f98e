"""Anthropic's Messages API (``/anthropic/v1/messages``; Claude on Vertex's ``:rawPredict``)."""

from __future__ import annotations

import json
from typing import Any

from .quirks import _ANTHROPIC_ERRORS
from .responder import _Responder
from .script import Script
from .wire import _END, _chunk, _head, _json_response, _sse_event


class _Messages(_Responder):
    """Anthropic's Messages API (``POST /v1/messages``; Claude on Vertex's ``:rawPredict`` too): content
    blocks (signed ``thinking``, ``text``, ``tool_use``), ``stop_reason``, usage with input and output
    tokens; streams of named events (``message_start``, ``content_block_start`` / ``_delta`` / ``_stop``,
    ``ping``, ``message_delta``, ``message_stop``, and ``error`` mid-stream); errors as ``{"type": "error",
    "error": {type, message}, "request_id"}`` with a ``request-id`` header. A refusal is ``stop_reason:
    "refusal"``. There is no keep-alive outside a stream (pings are stream events)."""

    dialect = "Anthropic's Messages API"
    no_form_whole = frozenset({"keepalive"})

    def __init__(self, style: str, script: Script, request: dict[str, Any], *, stream: bool) -> None:
        super().__init__(style, script, request, stream=stream)
        self.headers = {"request-id": "req_emu", "anthropic-ratelimit-requests-limit": "4000",
                        "anthropic-ratelimit-requests-remaining": "3999",
                        "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:01Z"}
        self.model = self.model or "claude-emulated"

    def _blocks(self) -> list[dict[str, Any]]:
        s = self.script
        blocks: list[dict[str, Any]] = []
        if s.reasoning_tokens:
            blocks.append({"type": "thinking", "thinking": "".join(s.thoughts()), "signature": _SIGNATURE})
        if s.tool_call:
            blocks.append({"type": "tool_use", "id": "toolu_emu_1", "name": s.tool_call[0], "input": s.tool_call[1]})
        elif self.pieces:
            blocks.append({"type": "text", "text": "".join(self.pieces)})
        return blocks

    def _stop_reason(self) -> str:
        return "tool_use" if self.script.tool_call else "end_turn"

    def _message(self, content: list[dict[str, Any]], stop_reason: str | None, output_tokens: int) -> dict[str, Any]:
        return {"id": "msg_emu", "type": "message", "role": "assistant", "model": self.model, "content": content,
                "stop_reason": stop_reason, "stop_sequence": None,
                "usage": {"input_tokens": self.prompt_tokens, "cache_creation_input_tokens": 0,
                          "cache_read_input_tokens": 0, "output_tokens": output_tokens}}

    def whole(self) -> bytes:
        out = self.output_tokens + self.script.reasoning_tokens
        return _json_response(200, self._message(self._blocks(), self._stop_reason(), out), self.headers)

    def events(self) -> list[tuple[str, bytes]]:
        s = self.script
        out: list[tuple[str, bytes]] = [
            ("meta", _sse_event("message_start", {"type": "message_start", "message": self._message([], None, 1)})),
        ]
        index = 0
        first = True

        def delta(kind: str, body: dict[str, Any]) -> tuple[str, bytes]:
            nonlocal first
            frame = _sse_event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                       "delta": body})
            item = ("first" if first else "token") if kind == "token" else "meta", frame
            if kind == "token":
                first = False
            return item

        def block(start: dict[str, Any], deltas: list[tuple[str, dict[str, Any]]]) -> None:
            nonlocal index
            out.append(("meta", _sse_event("content_block_start", {"type": "content_block_start", "index": index,
                                                                   "content_block": start})))
            if index == 0:
                out.append(("meta", _sse_event("ping", {"type": "ping"})))
            out.extend(delta(kind, body) for kind, body in deltas)
            out.append(("meta", _sse_event("content_block_stop", {"type": "content_block_stop", "index": index})))
            index += 1

        if s.reasoning_tokens:
            block({"type": "thinking", "thinking": "", "signature": ""},
                  [*(("token", {"type": "thinking_delta", "thinking": t}) for t in s.thoughts()),
                   ("meta", {"type": "signature_delta", "signature": _SIGNATURE})])
        if s.tool_call:
            args = json.dumps(s.tool_call[1])
            half = len(args) // 2
            block({"type": "tool_use", "id": "toolu_emu_1", "name": s.tool_call[0], "input": {}},
                  [("token", {"type": "input_json_delta", "partial_json": p}) for p in (args[:half], args[half:])])
        elif self.pieces:
            block({"type": "text", "text": ""}, [("token", {"type": "text_delta", "text": p}) for p in self.pieces])
        out.append(("meta", _sse_event("message_delta", {
            "type": "message_delta", "delta": {"stop_reason": self._stop_reason(), "stop_sequence": None},
            "usage": {"output_tokens": self.output_tokens + s.reasoning_tokens}})))
        out.append(("meta", _sse_event("message_stop", {"type": "message_stop"})))
        return out

    def _error(self, status: int, message: str) -> dict[str, Any]:
        return {"type": "error", "error": {"type": _ANTHROPIC_ERRORS.get(status, "api_error"), "message": message},
                "request_id": "req_emu"}

    def error_response(self, status: int) -> bytes:
        extra = dict(self.headers)
        message = {401: "invalid x-api-key", 529: "Overloaded"}.get(status, f"emulated {status}")
        if status == 429:
            extra["retry-after"] = self.script.retry_after or "0"
        return _json_response(status, self._error(status, message), extra)

    def inband_frame(self) -> bytes:
        return _sse_event("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})

    def inband_whole(self) -> bytes:
        return _json_response(200, self._error(529, "Overloaded"), self.headers)

    def malformed_frame(self) -> bytes:
        return b'event: content_block_delta\ndata: {"type": "content_block_delta", "index": 0, "delta": {"type": \n\n'

    def malformed_body(self) -> bytes:
        return b'{"id": "msg_emu", "type": "message", "content": ['

    def keepalive_frame(self) -> bytes:
        return _sse_event("ping", {"type": "ping"})

    def blocked(self) -> bytes:
        """Claude declining: ``stop_reason: "refusal"`` with nothing said."""
        if not self.stream:
            return _json_response(200, self._message([], "refusal", 0), self.headers)
        frames = (_sse_event("message_start", {"type": "message_start", "message": self._message([], None, 1)})
                  + _sse_event("message_delta", {"type": "message_delta", "delta": {"stop_reason": "refusal",
                                                                                   "stop_sequence": None},
                                                 "usage": {"output_tokens": 0}})
                  + _sse_event("message_stop", {"type": "message_stop"}))
        return _head(200, self.stream_type, extra=self.headers) + _chunk(frames) + _END


#: the signature the emulator puts on Claude thinking blocks (opaque to clients, who send it back verbatim)
_SIGNATURE = "RW11bGF0ZWQgc2lnbmF0dXJl"


# ---------------------------------------------------------------------------------------------- the Responses API
