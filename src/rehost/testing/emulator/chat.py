"""OpenAI chat completions and text completions (each host with reasoning in its own place), and Gemini's
``generateContent`` / ``streamGenerateContent`` (AI Studio and Vertex URL forms), in one responder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .quirks import _GOOGLE_STATUS, _RL_HEADERS
from .responder import _CREATED, _Responder
from .script import Script
from .wire import _END, _chunk, _head, _json_response


class _Answer(_Responder):
    """Chat completions (and text completions) as OpenAI-compatible hosts answer them, each with reasoning in
    its own place; or Gemini's ``generateContent`` (AI Studio and Vertex)."""

    def __init__(self, style: str, script: Script, request: dict[str, Any], target: str, *, gemini: bool,
                 stream: bool) -> None:
        super().__init__(style, script, request, stream=stream)
        self.dialect = "Gemini" if gemini else "the chat completions API"
        self.completion = False  # a plain text completion (/completions) rather than a chat
        self.gemini = gemini
        self.model = self.model or target.rsplit("/models/", 1)[-1].split(":", 1)[0]
        self.headers = dict(_RL_HEADERS) if self.spec.get("rate_limit_headers") else {}
        self.headers["x-request-id"] = f"req-emu-{id(self):x}"

    # -- bodies -------------------------------------------------------------------------------------------
    def usage(self) -> dict[str, Any]:
        s = self.script
        out = self.output_tokens + s.reasoning_tokens
        if self.gemini:
            um: dict[str, Any] = {"promptTokenCount": self.prompt_tokens, "candidatesTokenCount": self.output_tokens,
                                  "totalTokenCount": self.prompt_tokens + out}
            if s.reasoning_tokens:
                um["thoughtsTokenCount"] = s.reasoning_tokens
            return um
        usage: dict[str, Any] = {"prompt_tokens": self.prompt_tokens, "completion_tokens": out,
                                 "total_tokens": self.prompt_tokens + out}
        if s.reasoning_tokens:
            usage["completion_tokens_details"] = {"reasoning_tokens": s.reasoning_tokens}
        if self.spec.get("x_groq"):
            usage.update(queue_time=0.001, prompt_time=0.002, completion_time=0.003, total_time=0.006)
        if self.spec.get("usage_cost"):
            usage["cost"] = 0.00001 * out
        return usage

    def whole(self) -> bytes:
        s = self.script
        if self.gemini:
            parts: list[dict[str, Any]] = []
            if s.reasoning_tokens:
                parts.append({"text": "".join(s.thoughts()), "thought": True})
            if s.tool_call:
                parts.append({"functionCall": {"name": s.tool_call[0], "args": s.tool_call[1]}})
            else:
                parts.append({"text": "".join(self.pieces)})
            return _json_response(200, {"candidates": [{"content": {"role": "model", "parts": parts},
                                                        "finishReason": "STOP"}],
                                        "usageMetadata": self.usage(), "modelVersion": self.model,
                                        "responseId": "emu"}, self.headers)
        if self.completion:
            return _json_response(200, {"id": "cmpl-emu", "object": "text_completion", "model": self.model,
                                        "choices": [{"index": 0, "text": "".join(self.pieces),
                                                     "finish_reason": "stop"}], "usage": self.usage()}, self.headers)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(self.pieces)}
        if s.reasoning_tokens:
            self._put_reasoning(message, "".join(s.thoughts()))
        finish = "stop"
        if s.tool_call:
            message["content"] = None
            message["tool_calls"] = [{"id": "call_emu_1", "type": "function", "function": {
                "name": s.tool_call[0], "arguments": json.dumps(s.tool_call[1])}}]
            finish = "tool_calls"
        body: dict[str, Any] = {"id": "chatcmpl-emu", "object": "chat.completion", "created": _CREATED,
                                "model": self.model,
                                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                                "usage": self.usage()}
        if self.spec.get("x_groq"):
            body["x_groq"] = {"id": "req_emu"}
        if self.spec.get("content_filter"):
            body["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": _safe(jailbreak=True)}]
            body["choices"][0]["content_filter_results"] = _safe()
        return _json_response(200, body, self.headers)

    def _put_reasoning(self, target: dict[str, Any], text: str) -> None:
        where = self.spec["reasoning"]
        if where == "mistral_chunks":
            content = target.get("content")
            chunks: list[Any] = [{"type": "thinking", "thinking": [{"type": "text", "text": text}]}]
            if content:
                chunks.append({"type": "text", "text": content})
            target["content"] = chunks
        elif where:
            target[where] = text

    def error_response(self, status: int) -> bytes:
        extra = dict(self.headers)
        if self.gemini:
            return self._google_error(status, extra)
        if status == 401:  # some hosts quote the key they were sent back in the error
            key = self.auth.removeprefix("Bearer ")
            return _json_response(401, {"error": {"message": f"Incorrect API key provided: {key}",
                                                  "type": "invalid_request_error", "code": "invalid_api_key"}})
        if status == 429:
            extra["retry-after"] = self.script.retry_after or "0"
        return _json_response(status, {"error": {"message": f"emulated {status}", "type": "emulated",
                                                 "code": str(status)}}, extra)

    def _google_error(self, status: int, extra: dict[str, str]) -> bytes:
        """Google's error body: ``{"error": {code, message, status, details}}`` with the status name Google
        gives that HTTP code; a 429's delay travels as RetryInfo in the body, as Google sends it."""
        error: dict[str, Any] = {"code": status, "message": f"emulated {status}",
                                 "status": _GOOGLE_STATUS.get(status, "UNKNOWN")}
        if status == 401:
            error["message"] = "Request had invalid authentication credentials."
        if status == 429:
            delay = self.script.retry_after or "0"
            try:
                error["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                     "retryDelay": f"{float(delay):g}s"}]
            except ValueError:  # an HTTP date cannot be a RetryInfo: send it as the header instead
                extra["retry-after"] = delay
        return _json_response(status, {"error": error}, extra)

    # -- stream events ------------------------------------------------------------------------------------
    def events(self) -> list[tuple[str, bytes]]:
        return list(self._events())

    def _events(self) -> Iterator[tuple[str, bytes]]:
        s = self.script
        if self.gemini:
            first = True
            for piece in s.thoughts():
                yield ("first" if first else "token"), self._gemini({"text": piece, "thought": True})
                first = False
            if s.tool_call:
                yield ("first" if first else "token"), self._gemini(
                    {"functionCall": {"name": s.tool_call[0], "args": s.tool_call[1]}})
                first = False
            else:
                for piece in self.pieces:
                    yield ("first" if first else "token"), self._gemini({"text": piece})
                    first = False
            yield "meta", self._gemini(None, finish="STOP")
            return
        if self.spec.get("content_filter"):  # Azure's first chunk: the prompt's judgement, no id and no choices
            pre = {"id": "", "choices": [], "created": 0, "model": "",
                   "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": _safe(jailbreak=True)}]}
            yield "meta", b"data: " + json.dumps(pre, separators=(",", ":")).encode() + b"\n\n"
        yield "meta", self._sse({"role": "assistant", "content": ""}, first_chunk=True)
        first = True
        for piece in s.thoughts():
            delta: dict[str, Any] = {}
            self._put_reasoning(delta, piece)
            yield ("first" if first else "token"), self._sse(delta)
            first = False
        if s.tool_call:
            args = json.dumps(s.tool_call[1])
            yield ("first" if first else "token"), self._sse({"tool_calls": [{"index": 0, "id": "call_emu_1",
                                                                             "type": "function", "function": {
                                                                                 "name": s.tool_call[0],
                                                                                 "arguments": ""}}]})
            half = len(args) // 2
            for part in (args[:half], args[half:]):
                yield "token", self._sse({"tool_calls": [{"index": 0, "function": {"arguments": part}}]})
            finish = "tool_calls"
        else:
            for piece in self.pieces:
                yield ("first" if first else "token"), self._sse({"content": piece})
                first = False
            finish = "stop"
        yield "meta", self._sse({}, finish=finish)
        if self.spec.get("content_filter"):  # Azure's late judgement of the answer: a choice without a delta
            late = {"id": "chatcmpl-emu", "object": "chat.completion.chunk", "created": _CREATED, "model": self.model,
                    "choices": [{"index": 0, "finish_reason": None, "content_filter_results": _safe()}]}
            yield "meta", b"data: " + json.dumps(late, separators=(",", ":")).encode() + b"\n\n"
        usage_chunk: dict[str, Any] = {"id": "chatcmpl-emu", "object": "chat.completion.chunk", "created": _CREATED,
                                       "model": self.model, "choices": [], "usage": self.usage()}
        if self.spec.get("x_groq"):
            usage_chunk["x_groq"] = {"id": "req_emu", "usage": self.usage()}
        yield "meta", b"data: " + json.dumps(usage_chunk, separators=(",", ":")).encode() + b"\n\n"
        yield "meta", b"data: [DONE]\n\n"

    def _sse(self, delta: dict[str, Any], *, finish: str | None = None, first_chunk: bool = False) -> bytes:
        choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
        if self.completion:  # text completions carry "text", not a delta
            choice = {"index": 0, "text": delta.get("content") or "", "finish_reason": finish}
        chunk: dict[str, Any] = {"id": "chatcmpl-emu", "object": "chat.completion.chunk", "created": _CREATED,
                                 "model": self.model, "choices": [choice]}
        if first_chunk and self.spec.get("x_groq"):
            chunk["x_groq"] = {"id": "req_emu"}
        return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"

    def _gemini(self, part: dict[str, Any] | None, *, finish: str | None = None) -> bytes:
        cand: dict[str, Any] = {"content": {"role": "model", "parts": [part] if part else []}}
        if finish:
            cand["finishReason"] = finish
        body = {"candidates": [cand], "usageMetadata": self.usage() if finish else
                {"promptTokenCount": self.prompt_tokens}, "modelVersion": self.model, "responseId": "emu"}
        return b"data: " + json.dumps(body, separators=(",", ":")).encode() + b"\r\n\r\n"

    def inband_frame(self) -> bytes:
        if self.gemini:
            return b'data: {"error":{"code":503,"message":"emulated overload","status":"UNAVAILABLE"}}\r\n\r\n'
        if self.spec.get("inband") == "chunk":
            error = {"code": 502, "message": "emulated upstream failure",
                     "metadata": {"error_type": "provider_unavailable"}}
            body = {"id": "gen-emu", "object": "chat.completion.chunk", "error": error,
                    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]}
            return b"data: " + json.dumps(body).encode() + b"\n\n"
        return (b'event: error\ndata: {"error":{"message":"emulated tool_use_failed","type":"invalid_request_error",'
                b'"code":"tool_use_failed","status_code":400}}\n\n')

    def inband_whole(self) -> bytes:
        return _json_response(200, {"error": {"code": 503, "message": "emulated overload", "status": "UNAVAILABLE",
                                              "type": "overloaded"}})

    def malformed_frame(self) -> bytes:
        if self.gemini:
            return b'data: {"candidates": [{"content": {"parts": [{"text": "oops"\r\n\r\n'
        return super().malformed_frame()

    def keepalive_frame(self) -> bytes:
        frame: bytes = self.spec.get("keepalive_frame") or b": keep-alive\n\n"
        return frame

    def blocked(self) -> bytes:
        """A refusal with HTTP 200: Gemini's promptFeedback, or an empty content_filter stop."""
        if self.gemini:
            body: dict[str, Any] = {"promptFeedback": {"blockReason": "SAFETY"},
                                    "usageMetadata": {"promptTokenCount": self.prompt_tokens}}
            if self.stream:
                data = b"data: " + json.dumps(body).encode() + b"\r\n\r\n"
                return _head(200, "text/event-stream") + _chunk(data) + _END
            return _json_response(200, body)
        if self.stream:
            data = self._sse({}, finish="content_filter") + b"data: [DONE]\n\n"
            return _head(200, "text/event-stream") + _chunk(data) + _END
        return _json_response(200, {"id": "x", "choices": [{"index": 0, "finish_reason": "content_filter",
                                                            "message": {"role": "assistant", "content": ""}}]})


def _safe(*, jailbreak: bool = False) -> dict[str, Any]:
    """Azure's content-filter verdicts with nothing found (``content_filter`` quirk)."""
    found: dict[str, Any] = {c: {"filtered": False, "severity": "safe"}
                             for c in ("hate", "self_harm", "sexual", "violence")}
    if jailbreak:
        found["jailbreak"] = {"filtered": False, "detected": False}
    return found
