"""AWS Bedrock's Converse API (``/bedrock/model/{modelId}/converse``, ``/converse-stream``, ``/count-tokens``).

Answers as Bedrock does (HOSTS-MORE §1.5-1.7): ``output.message.content`` blocks (``reasoningContent`` with a
signature, ``text``, ``toolUse``), ``stopReason``, ``usage`` and ``metrics``; streams in AWS's binary event
stream with the ``p`` padding key on every payload, no ``contentBlockStart`` for text and reasoning blocks, and
``messageStop`` before ``metadata``; errors as ``{"message"}`` with the exception named in ``x-amzn-ErrorType``,
and inside a stream as an exception message. A refusal is ``stopReason: "guardrail_intervened"`` with nothing
said. The event stream has no keep-alive, so that fault has no form here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from ...providers.bedrock_eventstream import event_frame, exception_frame
from .responder import _Responder
from .script import Script
from .wire import _END, _chunk, _head, _json_response

#: the exception Bedrock names for each HTTP status (botocore's bedrock-runtime service model)
_EXCEPTIONS = {400: "ValidationException", 401: "UnrecognizedClientException", 403: "AccessDeniedException",
               404: "ResourceNotFoundException", 429: "ThrottlingException", 500: "InternalServerException",
               502: "InternalServerException", 503: "ServiceUnavailableException",
               529: "ServiceUnavailableException"}
_SIGNATURE = "RW11bGF0ZWQgQmVkcm9jayBzaWduYXR1cmU="


def _payload(body: dict[str, Any], pad: int) -> bytes:
    """A stream payload with Bedrock's random-length ``p`` padding (deterministic here)."""
    return json.dumps({**body, "p": "abcdefghijklmnopqrstuvwxyz"[: 1 + pad % 26]}, separators=(",", ":")).encode()


def model_of(target: str) -> str:
    path = target.split("?", 1)[0]
    return unquote(path.split("/model/", 1)[-1].rsplit("/", 1)[0])


class _Converse(_Responder):
    """Converse and ConverseStream."""

    dialect = "Bedrock's Converse API"
    stream_type = "application/vnd.amazon.eventstream"
    no_form = frozenset({"keepalive"})

    def __init__(self, style: str, script: Script, request: dict[str, Any], target: str, *, stream: bool) -> None:
        super().__init__(style, script, request, stream=stream)
        self.model = model_of(target)
        self.headers = {"x-amzn-requestid": "emu-0b1e6d3c-bedrock"}

    def _usage(self) -> dict[str, Any]:
        out = self.output_tokens + self.script.reasoning_tokens
        return {"inputTokens": self.prompt_tokens, "outputTokens": out, "totalTokens": self.prompt_tokens + out}

    def _stop(self) -> str:
        return "tool_use" if self.script.tool_call else "end_turn"

    def whole(self) -> bytes:
        s = self.script
        content: list[dict[str, Any]] = []
        if s.reasoning_tokens:
            content.append({"reasoningContent": {"reasoningText": {"text": "".join(s.thoughts()),
                                                                   "signature": _SIGNATURE}}})
        if s.tool_call:
            content.append({"toolUse": {"toolUseId": "tooluse_emu_1", "name": s.tool_call[0],
                                        "input": s.tool_call[1]}})
        elif self.pieces:
            content.append({"text": "".join(self.pieces)})
        return _json_response(200, {"output": {"message": {"role": "assistant", "content": content}},
                                    "stopReason": self._stop(), "usage": self._usage(),
                                    "metrics": {"latencyMs": 1}}, self.headers)

    def events(self) -> list[tuple[str, bytes]]:
        s = self.script
        out: list[tuple[str, bytes]] = [("meta", event_frame("messageStart", _payload({"role": "assistant"}, 0)))]
        index = 0
        first = True

        def token(event: str, body: dict[str, Any]) -> tuple[str, bytes]:
            nonlocal first
            kind = "first" if first else "token"
            first = False
            return kind, event_frame(event, _payload(body, len(out)))

        def stop() -> None:
            nonlocal index
            out.append(("meta", event_frame("contentBlockStop", _payload({"contentBlockIndex": index}, index))))
            index += 1

        if s.reasoning_tokens:
            for piece in s.thoughts():
                out.append(token("contentBlockDelta", {"contentBlockIndex": index,
                                                       "delta": {"reasoningContent": {"text": piece}}}))
            out.append(("meta", event_frame("contentBlockDelta", _payload(
                {"contentBlockIndex": index, "delta": {"reasoningContent": {"signature": _SIGNATURE}}}, 3))))
            stop()
        if s.tool_call:
            out.append(("meta", event_frame("contentBlockStart", _payload(
                {"contentBlockIndex": index, "start": {"toolUse": {"toolUseId": "tooluse_emu_1",
                                                                   "name": s.tool_call[0]}}}, 5))))
            args = json.dumps(s.tool_call[1])
            half = len(args) // 2
            for piece in (args[:half], args[half:]):
                out.append(token("contentBlockDelta", {"contentBlockIndex": index,
                                                       "delta": {"toolUse": {"input": piece}}}))
            stop()
        elif self.pieces:
            for piece in self.pieces:
                out.append(token("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": piece}}))
            stop()
        out.append(("meta", event_frame("messageStop", _payload({"stopReason": self._stop()}, 7))))
        out.append(("meta", event_frame("metadata", _payload({"usage": self._usage(),
                                                              "metrics": {"latencyMs": 1}}, 11))))
        return out

    def error_response(self, status: int) -> bytes:
        name = _EXCEPTIONS.get(status, "InternalServerException")
        extra = {**self.headers, "x-amzn-ErrorType": f"{name}:http://internal.amazon.com/coral/com.amazon.bedrock/"}
        message = {401: "The security token included in the request is invalid.",
                   429: "Too many requests, please wait before trying again."}.get(status, f"emulated {status}")
        if status == 429:
            extra["retry-after"] = self.script.retry_after or "0"
        return _json_response(status, {"message": message}, extra)

    def inband_frame(self) -> bytes:
        return exception_frame("throttlingException", json.dumps({"message": "Too many tokens, please wait "
                                                                  "before trying again."}).encode())

    def inband_whole(self) -> bytes:
        # Converse has no error inside a 200 JSON answer; the nearest is a 200 without output, which rehost
        # reads as the error body it is
        return _json_response(200, {"message": "Model is getting throttled. Try your request again."}, self.headers)

    def malformed_frame(self) -> bytes:
        frame = bytearray(event_frame("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"text":"oops"}}'))
        frame[-1] ^= 0xFF  # a message CRC that does not match
        return bytes(frame)

    def malformed_body(self) -> bytes:
        return b'{"output": {"message": '

    def blocked(self) -> bytes:
        """A guardrail intervening: ``stopReason: "guardrail_intervened"`` and nothing said."""
        usage = {"inputTokens": self.prompt_tokens, "outputTokens": 0, "totalTokens": self.prompt_tokens}
        if not self.stream:
            return _json_response(200, {"output": {"message": {"role": "assistant", "content": []}},
                                        "stopReason": "guardrail_intervened", "usage": usage,
                                        "metrics": {"latencyMs": 1}}, self.headers)
        frames = (event_frame("messageStart", _payload({"role": "assistant"}, 0))
                  + event_frame("messageStop", _payload({"stopReason": "guardrail_intervened"}, 1))
                  + event_frame("metadata", _payload({"usage": usage, "metrics": {"latencyMs": 1}}, 2)))
        return _head(200, self.stream_type, extra=self.headers) + _chunk(frames) + _END


class _CountTokens(_Responder):
    """CountTokens: ``{"inputTokens": N}`` for the ``input.converse`` it was given."""

    dialect = "Bedrock's CountTokens API"
    no_form = frozenset({"keepalive", "inband_error", "blocked"})

    def __init__(self, style: str, script: Script, request: dict[str, Any]) -> None:
        inner = (request.get("input") or {}).get("converse") or {}
        super().__init__(style, script, inner, stream=False)

    def whole(self) -> bytes:
        return _json_response(200, {"inputTokens": self.prompt_tokens}, {"x-amzn-requestid": "emu-count"})

    def error_response(self, status: int) -> bytes:
        name = _EXCEPTIONS.get(status, "InternalServerException")
        return _json_response(status, {"message": f"emulated {status}"}, {"x-amzn-ErrorType": name})

    def malformed_body(self) -> bytes:
        return b'{"inputTokens": '
