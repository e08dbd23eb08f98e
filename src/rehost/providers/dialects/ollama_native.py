"""Ollama's native API (``/api/chat``, ``/api/generate``): pure functions and a stream state machine, no I/O.

Request: ``{"model", "messages": [{"role", "content", "thinking"?, "images"? (base64), "tool_calls"?}],
"think", "stream", "format", "options": {temperature, top_p, top_k, num_predict, stop, seed, ...}, "tools"}``.
Ollama streams by default, so ``stream`` is always sent. Answer: ``message.content`` / ``message.thinking`` /
``message.tool_calls`` (arguments are JSON objects, not strings), ``done``, ``done_reason``,
``prompt_eval_count``, ``eval_count`` and durations in nanoseconds. ``/api/generate`` answers in ``response``
(and ``thinking``) instead of ``message``. Streams are NDJSON: one such object per line, the last with
``"done": true``; no ``[DONE]``; an error mid-stream is a line ``{"error": "..."}``. (HOSTS.md §9.2)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ...shared.errors import HostError, ProtocolError, UnsupportedFeature
from ...shared.request import Request
from ...shared.schema import RecursiveSchema, inline_defs, strip_titles
from ...shared.sse import SSEEvent
from ...shared.types import (
    Completion,
    DocumentPart,
    FinishReason,
    ImagePart,
    Message,
    Part,
    ReasoningDelta,
    ReasoningPart,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    ToolResult,
    Usage,
)
from .common import CallInfo, event_object, finish_completion
from .think_tags import ThinkSplitter, split_think

__all__ = [
    "OPTION_FIELDS",
    "NativeStream",
    "decode_response",
    "encode_chat_body",
    "encode_generate_body",
    "encode_messages",
    "host_timing",
    "parse_usage",
]

#: neutral sampling name -> key in ``options`` (Ollama's runner options)
OPTION_FIELDS: Mapping[str, str] = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "max_tokens": "num_predict",
    "stop": "stop",
    "seed": "seed",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
}

_FINISH: dict[str, FinishReason] = {"stop": "stop", "length": "length", "load": "other", "unload": "other"}
_DURATIONS = ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")


# ------------------------------------------------------------------------------------------------ encoding


def _image(part: ImagePart | DocumentPart, host: str) -> str:
    if isinstance(part, DocumentPart):
        raise UnsupportedFeature(f"{host} takes no documents", host=host)
    if part.data is None:
        raise UnsupportedFeature(f"{host} takes images as bytes only (it does not fetch URLs): pass data=...",
                                 host=host)
    return part.base64


def encode_messages(messages: tuple[Message, ...], *, host: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for message in messages:
        role = message.role
        if role == "tool":
            for part in message.parts:
                assert isinstance(part, ToolResult)
                if part.parts:
                    raise UnsupportedFeature(f"{host} takes text tool results only", host=host)
                out.append({"role": "tool", "content": part.content, "tool_name": part.name})
            continue
        wire: dict[str, Any] = {"role": role, "content": "".join(
            p.text for p in message.parts if isinstance(p, TextPart))}
        images = [_image(p, host) for p in message.parts if isinstance(p, ImagePart | DocumentPart)]
        if images:
            wire["images"] = images
        if role == "assistant":
            thinking = "".join(p.text for p in message.parts if isinstance(p, ReasoningPart) and p.text)
            if thinking:
                wire["thinking"] = thinking  # Ollama takes an assistant turn's thinking back
            calls = message.tool_calls
            if calls:
                wire["tool_calls"] = [{"function": {"name": c.name, "arguments": c.arguments}} for c in calls]
        out.append(wire)
    return out


def _options(request: Request) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, value in request.sampling.items():
        options[OPTION_FIELDS[name]] = list(value) if name == "stop" else value
    return options


def _schema_format(request: Request) -> dict[str, Any] | str:
    output = request.output
    assert output is not None
    if output.schema is None:
        return "json"
    try:
        schema = inline_defs(output.schema)
    except RecursiveSchema:
        schema = output.schema
    return strip_titles(schema)


def encode_chat_body(request: Request, model_id: str, *, host: str, think: bool | str | None) -> dict[str, Any]:
    """The ``/api/chat`` body; ``think`` is the provider's spelling of the thinking plan (None: leave it out)."""
    body: dict[str, Any] = {"model": model_id, "messages": encode_messages(request.messages, host=host),
                            "stream": request.stream}
    if think is not None:
        body["think"] = think
    if request.tools:
        body["tools"] = [{"type": "function", "function": {"name": t.name, "description": t.description,
                                                           "parameters": t.parameters}} for t in request.tools]
    if request.tool_choice not in (None, "auto"):
        raise UnsupportedFeature(f"{host} has no tool_choice: the model always chooses (auto)", host=host)
    if request.output is not None:
        if request.output_mode == "native":
            body["format"] = _schema_format(request)
        elif request.output_mode == "json":
            body["format"] = "json"
    options = _options(request)
    if options:
        body["options"] = options
    return body


def encode_generate_body(request: Request, model_id: str, *, host: str) -> dict[str, Any]:
    """The ``/api/generate`` body for a base model's plain prompt: ``raw`` so no chat template is applied."""
    if request.tools or request.output is not None or request.thinking is not None:
        raise UnsupportedFeature(f"{host}: a plain prompt takes no tools, structured output or thinking", host=host)
    body: dict[str, Any] = {"model": model_id, "prompt": request.prompt, "raw": True, "stream": request.stream}
    options = _options(request)
    if options:
        body["options"] = options
    return body


# ------------------------------------------------------------------------------------------------ decoding


def parse_usage(body: Mapping[str, Any]) -> Usage | None:
    if "prompt_eval_count" not in body and "eval_count" not in body:
        return None
    return Usage.model_construct(input_tokens=int(body.get("prompt_eval_count") or 0),
                                 output_tokens=int(body.get("eval_count") or 0), reasoning_tokens=None,
                                 cached_input_tokens=None, cache_write_tokens=None)


def host_timing(body: Mapping[str, Any]) -> dict[str, float] | None:
    """Ollama's own durations (nanoseconds on the wire), in seconds."""
    timing = {k.removesuffix("_duration"): body[k] / 1e9 for k in _DURATIONS if isinstance(body.get(k), int | float)}
    return timing or None


def _finish(raw: str | None, has_tool_calls: bool) -> FinishReason:
    if has_tool_calls:
        return "tool_calls"
    return "stop" if raw is None else _FINISH.get(raw, "other")


def _tool_call(tc: Mapping[str, Any], position: int) -> ToolCall:
    fn = tc.get("function") or {}
    args = fn.get("arguments")
    if isinstance(args, str):  # tolerate a string, though Ollama sends an object
        raw = args
        try:
            args = json.loads(args)
        except ValueError:
            args = {}
    else:
        raw = json.dumps(args if args is not None else {}, ensure_ascii=False)
    return ToolCall.model_construct(type="tool_call", id=tc.get("id") or f"call_{position}",
                                    name=fn.get("name") or "", arguments=args if isinstance(args, dict) else {},
                                    raw_arguments=raw, signature=None)


def _pieces(body: Mapping[str, Any], info: CallInfo) -> tuple[str, str, list[Any]]:
    """(thinking, content, tool calls) of one answer object, from ``/api/chat`` or ``/api/generate``."""
    msg = body.get("message")
    thinking: Any = None
    content: Any = None
    calls: Any = None
    if msg is None:
        thinking, content, calls = body.get("thinking") or "", body.get("response") or "", []
    elif isinstance(msg, Mapping):
        thinking, content, calls = msg.get("thinking") or "", msg.get("content") or "", msg.get("tool_calls") or []
    if not (isinstance(thinking, str) and isinstance(content, str) and isinstance(calls, list)):
        raise ProtocolError(f"{info.host} sent an answer object of an unexpected shape: {json.dumps(body)[:200]}",
                            host=info.host, request_id=info.request_id)
    return thinking, content, calls


def decode_response(body: Mapping[str, Any], info: CallInfo) -> Completion:
    if "message" not in body and "response" not in body:
        raise ProtocolError(f"{info.host} answered without a message", host=info.host, request_id=info.request_id,
                            body=json.dumps(body)[:500])
    thinking, content, calls = _pieces(body, info)
    if info.tags is not None and not thinking:
        thinking, content = split_think(content, info.tags.open, info.tags.close,
                                        implicit_open=info.tags.implicit_open)
    parts: list[Part] = []
    if thinking:
        parts.append(ReasoningPart.model_construct(type="reasoning", text=thinking, signature=None, redacted=None,
                                                   source=info.host, details=None))
    if content:
        parts.append(TextPart.model_construct(type="text", text=content, signature=None))
    parts.extend(_tool_call(tc, i) for i, tc in enumerate(calls))
    return finish_completion(
        info, parts, finish_reason=_finish(body.get("done_reason"), bool(calls)),
        native_finish_reason=body.get("done_reason"), usage=parse_usage(body), served_model=body.get("model"),
        host_timing=host_timing(body), raw=body,
    )


class NativeStream:
    """NDJSON lines (carried as events by the NDJSON splitter) in, neutral events out, one Completion at the end.

    ``on_error`` maps an ``{"error": ...}`` line to the error the stream raises.
    """

    __slots__ = ("_calls", "_reasoning", "_splitter", "_text", "final", "info", "on_error", "served_model")

    def __init__(self, info: CallInfo, on_error: Callable[[Mapping[str, Any]], HostError]) -> None:
        self.info = info
        self.on_error = on_error
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._calls: list[ToolCall] = []
        tags = info.tags
        self._splitter = ThinkSplitter(tags.open, tags.close, implicit_open=tags.implicit_open) if tags else None
        self.final: Mapping[str, Any] | None = None
        self.served_model: str | None = None

    def on_event(self, event: SSEEvent) -> list[StreamEvent]:
        obj = event_object(event.data, self.info, "line")
        if obj.get("error"):
            raise self.on_error(obj)
        if self.served_model is None:
            self.served_model = obj.get("model")
        thinking, content, calls = _pieces(obj, self.info)
        out: list[StreamEvent] = []
        if thinking:
            self._reasoning.append(thinking)
            out.append(ReasoningDelta(thinking))
        if content:
            if self._splitter is None:
                self._text.append(content)
                out.append(TextDelta(content))
            else:
                for kind, piece in self._splitter.feed(content):
                    self._emit(kind, piece, out)
        for tc in calls:  # Ollama sends each call whole
            call = _tool_call(tc, len(self._calls))
            out.append(ToolCallDelta(index=len(self._calls), id=call.id, name=call.name,
                                     arguments=call.raw_arguments or ""))
            self._calls.append(call)
        if obj.get("done"):
            self.final = obj
        if out:
            self.info.mark_first_token()
        return out

    def _emit(self, kind: str, piece: str, out: list[StreamEvent]) -> None:
        if kind == "reasoning":
            self._reasoning.append(piece)
            out.append(ReasoningDelta(piece))
        else:
            self._text.append(piece)
            out.append(TextDelta(piece))

    def flush(self) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        if self._splitter is not None:
            for kind, piece in self._splitter.flush():
                self._emit(kind, piece, out)
        return out

    @property
    def finished(self) -> bool:
        return self.final is not None

    def completion(self) -> Completion:
        final = self.final or {}
        parts: list[Part] = []
        if self._reasoning:
            parts.append(ReasoningPart.model_construct(type="reasoning", text="".join(self._reasoning),
                                                       signature=None, redacted=None, source=self.info.host,
                                                       details=None))
        text = "".join(self._text)
        if text:
            parts.append(TextPart.model_construct(type="text", text=text, signature=None))
        parts.extend(self._calls)
        return finish_completion(
            self.info, parts, finish_reason=_finish(final.get("done_reason"), bool(self._calls)),
            native_finish_reason=final.get("done_reason"), usage=parse_usage(final),
            served_model=self.served_model, host_timing=host_timing(final),
        )
