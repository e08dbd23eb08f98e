"""Cohere's v2 chat (``POST /v2/chat``) as the emulator answers it (HOSTS-MORE §4): a message of typed content
items (``thinking`` before ``text``), ``tool_calls`` with a ``tool_plan``, capitalised finish reasons, usage as
``tokens`` / ``billed_units``; streamed as SSE ``data`` objects with a ``type`` (``message-start``,
``content-start/delta/end``, ``tool-plan-delta``, ``tool-call-start/delta/end``, ``message-end``); errors as
``{"id", "message"}`` with no wrapper."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .responder import _Responder
from .wire import _json_response, _sse_event

_ID = "cohere-emu-0001"


class _CohereChat(_Responder):
    dialect = "cohere chat"
    #: Cohere documents no 200 refusal and no keep-alive; its in-band error is the stream's ``message-end``
    no_form = frozenset({"keepalive", "blocked"})
    no_form_whole = frozenset({"inband_error"})

    def _usage(self) -> dict[str, Any]:
        out = self.output_tokens + self.script.reasoning_tokens
        tokens = {"input_tokens": self.prompt_tokens, "output_tokens": out}
        return {"billed_units": tokens, "tokens": tokens}

    def _thinking(self) -> str:
        return "".join(self.script.thoughts())

    def whole(self) -> bytes:
        s = self.script
        message: dict[str, Any] = {"role": "assistant", "content": []}
        if s.reasoning_tokens:
            message["content"].append({"type": "thinking", "thinking": self._thinking()})
        finish = "COMPLETE"
        if s.tool_call:
            message["tool_plan"] = f"I will call {s.tool_call[0]}."
            message["tool_calls"] = [{"id": f"{s.tool_call[0]}_emu1", "type": "function", "function": {
                "name": s.tool_call[0], "arguments": json.dumps(s.tool_call[1])}}]
            finish = "TOOL_CALL"
        else:
            message["content"].append({"type": "text", "text": "".join(self.pieces)})
        return _json_response(200, {"id": _ID, "finish_reason": finish, "message": message, "usage": self._usage()},
                              self.headers)

    def events(self) -> list[tuple[str, bytes]]:
        return list(self._events())

    def _event(self, body: dict[str, Any]) -> bytes:
        return _sse_event(str(body["type"]), body)

    def _events(self) -> Iterator[tuple[str, bytes]]:
        s = self.script
        yield "meta", self._event({"type": "message-start", "id": _ID, "delta": {"message": {
            "role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}}})
        first, index = True, 0
        if s.reasoning_tokens:
            yield "meta", self._event({"type": "content-start", "index": 0, "delta": {"message": {
                "content": {"type": "thinking", "thinking": ""}}}})
            for piece in s.thoughts():
                yield ("first" if first else "token"), self._event(
                    {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"thinking": piece}}}})
                first = False
            yield "meta", self._event({"type": "content-end", "index": 0})
            index = 1
        finish = "COMPLETE"
        if s.tool_call:
            name, args = s.tool_call
            yield ("first" if first else "token"), self._event(
                {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": f"I will call {name}."}}})
            yield "token", self._event({"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {
                "id": f"{name}_emu1", "type": "function", "function": {"name": name, "arguments": ""}}}}})
            raw = json.dumps(args)
            for part in (raw[: len(raw) // 2], raw[len(raw) // 2:]):
                yield "token", self._event({"type": "tool-call-delta", "index": 0, "delta": {"message": {
                    "tool_calls": {"function": {"arguments": part}}}}})
            yield "meta", self._event({"type": "tool-call-end", "index": 0})
            finish = "TOOL_CALL"
        else:
            yield "meta", self._event({"type": "content-start", "index": index, "delta": {"message": {
                "content": {"type": "text", "text": ""}}}})
            for piece in self.pieces:
                yield ("first" if first else "token"), self._event(
                    {"type": "content-delta", "index": index, "delta": {"message": {"content": {"text": piece}}}})
                first = False
            yield "meta", self._event({"type": "content-end", "index": index})
        yield "meta", self._event({"type": "message-end", "delta": {"finish_reason": finish,
                                                                    "usage": self._usage()}})

    def error_response(self, status: int) -> bytes:
        extra = dict(self.headers)
        if status == 429:
            extra["retry-after"] = self.script.retry_after or "0"
        message = {401: "invalid api token", 400: "invalid request: emulated 400",
                   429: "You are using a Trial key, which is limited"}.get(status, f"emulated {status}")
        return _json_response(status, {"id": "err-emu", "message": message}, extra)

    def inband_frame(self) -> bytes:
        return self._event({"type": "message-end", "delta": {"finish_reason": "ERROR",
                                                             "error": "emulated internal error"}})

    def inband_whole(self) -> bytes:  # (listed in no_form_whole: never played)
        raise NotImplementedError
