"""Ollama's native API (``/ollama/api/chat`` and ``/api/generate``, JSON or NDJSON lines)."""

from __future__ import annotations

from typing import Any

from .responder import _Responder
from .script import Script
from .wire import _json_response, _ndjson


class _OllamaNative(_Responder):
    """One answer in Ollama's native shape (HOSTS.md §9.2): JSON, or NDJSON lines when streamed (Ollama
    streams unless told ``"stream": false``); errors are ``{"error": "..."}``, in a stream a line of that
    shape with the HTTP status unchanged. Ollama has no moderation and sends no keep-alives, so the
    ``blocked`` and ``keepalive`` faults have no form here."""

    dialect = "Ollama's native API"
    stream_type = "application/x-ndjson"
    no_form = frozenset({"blocked", "keepalive"})

    def __init__(self, style: str, script: Script, request: dict[str, Any], *, generate: bool) -> None:
        super().__init__(style, script, request, stream=request.get("stream", True) is not False)
        self.generate = generate
        self.thinks = bool(script.reasoning_tokens) and request.get("think") is not False and not generate

    def _object(self, *, content: str = "", thinking: str = "", tool_calls: list[Any] | None = None,
                done: bool = False) -> dict[str, Any]:
        obj: dict[str, Any] = {"model": self.model, "created_at": "2026-01-01T00:00:00Z"}
        if self.generate:
            obj["response"] = content
            if thinking:
                obj["thinking"] = thinking
        else:
            message: dict[str, Any] = {"role": "assistant", "content": content}
            if thinking:
                message["thinking"] = thinking
            if tool_calls:
                message["tool_calls"] = tool_calls
            obj["message"] = message
        obj["done"] = done
        if done:
            s = self.script
            obj.update(done_reason="stop", total_duration=5_000_000, load_duration=1_000_000,
                       prompt_eval_count=self.prompt_tokens, prompt_eval_duration=1_000_000,
                       eval_count=self.output_tokens + (s.reasoning_tokens if self.thinks else 0),
                       eval_duration=3_000_000)
        return obj

    def _tool_calls(self) -> list[Any] | None:
        if not self.script.tool_call or self.generate:
            return None
        return [{"function": {"name": self.script.tool_call[0], "arguments": self.script.tool_call[1]}}]

    def whole(self) -> bytes:
        s = self.script
        calls = self._tool_calls()
        text = "" if calls else "".join(self.pieces)
        return _json_response(200, self._object(content=text, thinking="".join(s.thoughts()) if self.thinks else "",
                                                tool_calls=calls, done=True))

    def events(self) -> list[tuple[str, bytes]]:
        s = self.script
        pieces: list[dict[str, Any]] = [self._object(thinking=t) for t in (s.thoughts() if self.thinks else ())]
        calls = self._tool_calls()
        if calls:
            pieces.append(self._object(tool_calls=calls))
        else:
            pieces.extend(self._object(content=t) for t in self.pieces)
        out = [("first" if i == 0 else "token", _ndjson(obj)) for i, obj in enumerate(pieces)]
        out.append(("meta", _ndjson(self._object(done=True))))
        return out

    def error_response(self, status: int) -> bytes:
        extra = {"retry-after": self.script.retry_after or "0"} if status == 429 else None
        return _json_response(status, {"error": f"emulated {status}"}, extra)

    def inband_frame(self) -> bytes:  # Ollama keeps the 200 and sends the error as a line
        return _ndjson({"error": "emulated runner failure"})

    def inband_whole(self) -> bytes:
        return _json_response(200, {"error": "emulated runner failure"})

    def malformed_frame(self) -> bytes:
        return b'{"message": {"role": "assistant", "content": "oops"\n'

    def malformed_body(self) -> bytes:
        return b'{"message": {"role": '

    def oversize_open(self) -> bytes:  # one endless line
        return b'{"padding": "'
