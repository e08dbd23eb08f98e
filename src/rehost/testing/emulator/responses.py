"""The Responses API (``.../responses``, as DeepSeek's ``api="responses"`` uses it)."""

from __future__ import annotations

import json
from typing import Any

from .responder import _CREATED, _Responder
from .script import Script
from .wire import _END, _chunk, _head, _json_response, _sse_event


class _Responses(_Responder):
    """The Responses API (``POST /responses``), as DeepSeek serves it: ``output`` items (``reasoning`` with
    ``reasoning_text`` content, ``message`` with ``output_text``, ``function_call``), usage with
    ``output_tokens_details.reasoning_tokens``; streams of named events (``response.created``,
    ``response.output_item.added`` / ``.done``, ``response.output_text.delta``,
    ``response.reasoning_text.delta``, ``response.function_call_arguments.delta``, ``response.completed``;
    ``error`` mid-stream); a refusal is ``status: "incomplete"`` with ``incomplete_details.reason:
    "content_filter"``; a failure with HTTP 200 is ``status: "failed"`` with an ``error``."""

    dialect = "the Responses API"

    def __init__(self, style: str, script: Script, request: dict[str, Any]) -> None:
        super().__init__(style, script, request, stream=bool(request.get("stream")))
        self.headers = {"x-request-id": f"req-emu-{id(self):x}"}
        self.sequence = 0

    def _items(self) -> list[dict[str, Any]]:
        s = self.script
        items: list[dict[str, Any]] = []
        if s.reasoning_tokens:
            items.append({"type": "reasoning", "id": "rs_emu", "status": "completed", "summary": [],
                          "content": [{"type": "reasoning_text", "text": "".join(s.thoughts())}]})
        if s.tool_call:
            items.append({"type": "function_call", "id": "fc_emu", "status": "completed", "call_id": "call_emu_1",
                          "name": s.tool_call[0], "arguments": json.dumps(s.tool_call[1])})
        else:
            items.append({"type": "message", "id": "msg_emu", "status": "completed", "role": "assistant",
                          "content": [{"type": "output_text", "text": "".join(self.pieces), "annotations": []}]})
        return items

    def _response(self, status: str, output: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        s = self.script
        body: dict[str, Any] = {"id": "resp_emu", "object": "response", "created_at": _CREATED, "status": status,
                                "model": self.model, "output": output, "error": None, "incomplete_details": None}
        if status != "in_progress":
            out = self.output_tokens + s.reasoning_tokens
            body["usage"] = {"input_tokens": self.prompt_tokens, "input_tokens_details": {"cached_tokens": 0},
                             "output_tokens": out, "output_tokens_details": {"reasoning_tokens": s.reasoning_tokens},
                             "total_tokens": self.prompt_tokens + out}
        body.update(extra)
        return body

    def whole(self) -> bytes:
        return _json_response(200, self._response("completed", self._items()), self.headers)

    def _event(self, name: str, **fields: Any) -> bytes:
        frame = _sse_event(name, {"type": name, **fields, "sequence_number": self.sequence})
        self.sequence += 1
        return frame

    def events(self) -> list[tuple[str, bytes]]:
        s = self.script
        out: list[tuple[str, bytes]] = [("meta", self._event("response.created",
                                                             response=self._response("in_progress", [])))]
        first = True
        for index, item in enumerate(self._items()):
            kind = item["type"]
            opened = {**item, "status": "in_progress"}
            if kind in ("reasoning", "message"):
                opened["content"] = []
            elif kind == "function_call":
                opened["arguments"] = ""
            out.append(("meta", self._event("response.output_item.added", output_index=index, item=opened)))
            if kind == "reasoning":
                pieces, name = s.thoughts(), "response.reasoning_text.delta"
            elif kind == "message":
                pieces, name = self.pieces, "response.output_text.delta"
            else:
                args = item["arguments"]
                pieces, name = [args[: len(args) // 2], args[len(args) // 2:]], "response.function_call_arguments.delta"
            for piece in pieces:
                out.append(("first" if first else "token",
                            self._event(name, item_id=item["id"], output_index=index, content_index=0, delta=piece)))
                first = False
            out.append(("meta", self._event("response.output_item.done", output_index=index, item=item)))
        out.append(("meta", self._event("response.completed", response=self._response("completed", self._items()))))
        return out

    def error_response(self, status: int) -> bytes:
        extra = dict(self.headers)
        if status == 429:
            extra["retry-after"] = self.script.retry_after or "0"
        etype = {401: "authentication_error", 429: "rate_limit_error"}.get(status, "invalid_request_error"
                                                                            if status < 500 else "server_error")
        return _json_response(status, {"error": {"message": f"emulated {status}", "type": etype, "param": None,
                                                 "code": etype}}, extra)

    def inband_frame(self) -> bytes:
        return self._event("error", code="server_error", message="emulated server error", param=None)

    def inband_whole(self) -> bytes:
        return _json_response(200, self._response("failed", [], error={"code": "server_error",
                                                                     "message": "emulated server error"}),
                              self.headers)

    def malformed_frame(self) -> bytes:
        return b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": \n\n'

    def malformed_body(self) -> bytes:
        return b'{"id": "resp_emu", "output": ['

    def keepalive_frame(self) -> bytes:
        return b": keep-alive\n\n"

    def blocked(self) -> bytes:
        refused = self._response("incomplete", [], incomplete_details={"reason": "content_filter"})
        if not self.stream:
            return _json_response(200, refused, self.headers)
        frames = (self._event("response.created", response=self._response("in_progress", []))
                  + self._event("response.incomplete", response=refused))
        return _head(200, self.stream_type, extra=self.headers) + _chunk(frames) + _END


# ---------------------------------------------------------------------------------------------- Ollama native
