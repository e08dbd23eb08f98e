"""The OpenAI ``/chat/completions`` dialect, as spoken by Groq, OpenRouter, DeepSeek, Mistral, Together,
Fireworks and local servers.

Pure functions and a stream state machine, no I/O. The decoder reads every place an OpenAI-compatible host
puts reasoning: ``reasoning`` (Groq, OpenRouter, Together, vLLM, Ollama), ``reasoning_content`` (DeepSeek,
Fireworks, llama.cpp), ``reasoning_details`` (OpenRouter, kept verbatim for send-back), Mistral's typed
``thinking`` chunks in ``content``, and ``<think>`` tags inline in ``content`` when the model's client says
its model writes them. These field names never collide, so one decoder serves every host; what differs per
host (request field names, thinking fields, error bodies, extras) comes in through the provider's hooks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ...shared.errors import HostError, ProtocolError, UnsupportedFeature
from ...shared.output import Output
from ...shared.request import Request
from ...shared.schema import RecursiveSchema, inline_defs, strict_schema, strip_titles
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
    Tool,
    ToolCall,
    ToolChoice,
    ToolResult,
    Usage,
    construct,
)
from .common import CallInfo, ToolCallAssembler, finish_completion, parse_arguments
from .think_tags import ThinkSplitter, split_think

__all__ = [
    "DEFAULT_SAMPLING_FIELDS",
    "ChatStream",
    "PartEncoder",
    "ReasoningEncoder",
    "decode_completion",
    "decode_message_parts",
    "encode_body",
    "encode_messages",
    "encode_tool_choice",
    "encode_tools",
    "encode_part",
    "error_fields",
    "finish_reason",
    "json_schema_format",
    "parse_usage",
]

#: neutral sampling name -> wire name; ``None`` marks a setting the host does not take.
DEFAULT_SAMPLING_FIELDS: Mapping[str, str | None] = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": None,
    "max_tokens": "max_tokens",
    "stop": "stop",
    "seed": "seed",
    "presence_penalty": "presence_penalty",
    "frequency_penalty": "frequency_penalty",
}

#: adds an assistant turn's reasoning to its wire form, in the host's spelling (default: not sent)
ReasoningEncoder = Callable[[list[ReasoningPart], dict[str, Any]], None]
#: one image or document part of a user turn, in the host's spelling
PartEncoder = Callable[[ImagePart | DocumentPart], dict[str, Any]]

_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "end_turn": "stop",
    "eos": "stop",
    "length": "length",
    "model_length": "length",
    "max_tokens": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "tool_use": "tool_calls",
    "content_filter": "content_filter",
    "error": "error",
}


def finish_reason(raw: str | None, *, has_tool_calls: bool = False) -> FinishReason:
    if raw is None:
        return "tool_calls" if has_tool_calls else "stop"
    return _FINISH.get(raw, "other")


# ------------------------------------------------------------------------------------------------ encoding


def _tool_call_wire(call: ToolCall, position: int) -> dict[str, Any]:
    arguments = call.raw_arguments if call.raw_arguments else json.dumps(call.arguments, ensure_ascii=False)
    return {
        "id": call.id or f"call_{position}",
        "type": "function",
        "function": {"name": call.name, "arguments": arguments},
    }


def encode_part(part: ImagePart | DocumentPart) -> dict[str, Any]:
    """OpenAI's spelling: ``image_url`` for images, ``file`` (a data URL or link) for PDFs."""
    if isinstance(part, ImagePart):
        return {"type": "image_url", "image_url": {"url": part.data_url}}
    return {"type": "file", "file": {"filename": part.name or "document.pdf", "file_data": part.data_url}}


def _user_content(message: Message, encode: PartEncoder) -> str | list[dict[str, Any]]:
    if all(isinstance(p, TextPart) for p in message.parts):
        return message.text
    return [{"type": "text", "text": p.text} if isinstance(p, TextPart) else encode(p)  # type: ignore[arg-type]
            for p in message.parts]


def encode_messages(messages: tuple[Message, ...], *, encode_reasoning: ReasoningEncoder | None = None,
                    part_encoder: PartEncoder = encode_part) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    call_position = 0
    pending_ids: dict[str, str] = {}
    for message in messages:
        role = message.role
        if role == "system":
            out.append({"role": role, "content": message.text})
        elif role == "user":
            out.append({"role": role, "content": _user_content(message, part_encoder)})
        elif role == "assistant":
            wire: dict[str, Any] = {"role": "assistant"}
            text = message.text
            calls = message.tool_calls
            if text or not calls:
                wire["content"] = text
            if calls:
                wire_calls = []
                for call in calls:
                    wc = _tool_call_wire(call, call_position)
                    if call.id is None:
                        pending_ids[call.name] = wc["id"]
                    call_position += 1
                    wire_calls.append(wc)
                wire["tool_calls"] = wire_calls
            reasoning = [p for p in message.parts if isinstance(p, ReasoningPart)]
            if reasoning and encode_reasoning is not None:
                encode_reasoning(reasoning, wire)
            out.append(wire)
        else:
            for part in message.parts:
                assert isinstance(part, ToolResult)
                if part.parts:
                    raise UnsupportedFeature("this dialect takes text tool results only (images or documents were "
                                             f"returned by {part.name})")
                call_id = part.call_id or pending_ids.get(part.name) or f"call_{part.name}"
                out.append({"role": "tool", "tool_call_id": call_id, "content": part.content})
    return out


def encode_tools(tools: tuple[Tool, ...]) -> list[dict[str, Any]]:
    out = []
    for tool in tools:
        fn: dict[str, Any] = {"name": tool.name, "description": tool.description, "parameters": tool.parameters}
        if tool.strict is not None:
            fn["strict"] = tool.strict
        out.append({"type": "function", "function": fn})
    return out


def encode_tool_choice(choice: ToolChoice) -> str | dict[str, Any]:
    if choice in ("auto", "none", "required"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def json_schema_format(output: Output, *, strict: bool | None, host: str) -> dict[str, Any]:
    """``response_format`` for a schema: ``json_schema`` with the name and description beside the schema,
    references inlined and titles gone. ``strict`` is the host's default when the caller did not say: True
    means strict whenever the schema can be made strict, None means leave the flag out."""
    if output.schema is None:
        return {"type": "json_object"}
    try:
        schema = inline_defs(output.schema)
    except RecursiveSchema:
        schema = output.schema
    schema = strip_titles(schema)
    schema.pop("description", None)
    strict_form = strict_schema(schema)
    want = output.strict
    if want is None and strict:
        want = strict_form is not None
    if want:
        if strict_form is None:
            raise UnsupportedFeature(f"{host}: this schema cannot be strict (it has free-form maps); pass "
                                     "strict=False", host=host)
        schema = strict_form
    spec: dict[str, Any] = {"name": output.name}
    if output.description:
        spec["description"] = output.description
    spec["schema"] = schema
    if want is not None:
        spec["strict"] = want
    return {"type": "json_schema", "json_schema": spec}


def encode_completion_body(
    request: Request,
    model_id: str,
    *,
    host: str,
    sampling_fields: Mapping[str, str | None] = DEFAULT_SAMPLING_FIELDS,
    stream_usage: bool = True,
) -> dict[str, Any]:
    """The JSON body for the plain text-completion endpoint (``/completions``) of a base model's prompt."""
    if request.tools or request.output is not None or request.thinking is not None:
        raise UnsupportedFeature(f"{host}: a plain prompt takes no tools, structured output or thinking", host=host)
    body: dict[str, Any] = {"model": model_id, "prompt": request.prompt}
    for name, value in request.sampling.items():
        wire = sampling_fields.get(name)
        if wire is None:
            raise UnsupportedFeature(f"{host} does not accept the sampling setting {name!r}", host=host)
        body["max_tokens" if name == "max_tokens" else wire] = list(value) if name == "stop" else value
    body["stream"] = request.stream
    if request.stream and stream_usage:
        body["stream_options"] = {"include_usage": True}
    return body


def encode_body(
    request: Request,
    model_id: str,
    *,
    host: str,
    sampling_fields: Mapping[str, str | None] = DEFAULT_SAMPLING_FIELDS,
    encode_reasoning: ReasoningEncoder | None = None,
    part_encoder: PartEncoder = encode_part,
    stream_usage: bool = True,
) -> dict[str, Any]:
    """The JSON body for ``/chat/completions`` (thinking and output fields are the provider's to add)."""
    body: dict[str, Any] = {
        "model": model_id,
        "messages": encode_messages(request.messages, encode_reasoning=encode_reasoning, part_encoder=part_encoder),
    }
    for name, value in request.sampling.items():
        wire = sampling_fields.get(name)
        if wire is None:
            raise UnsupportedFeature(f"{host} does not accept the sampling setting {name!r}", host=host)
        body[wire] = list(value) if name == "stop" else value
    if request.tools:
        body["tools"] = encode_tools(request.tools)
    if request.tool_choice is not None:
        if not request.tools and request.tool_choice != "none":
            raise UnsupportedFeature("tool_choice was given without any tools", host=host)
        body["tool_choice"] = encode_tool_choice(request.tool_choice)
    body["stream"] = request.stream
    if request.stream and stream_usage:
        body["stream_options"] = {"include_usage": True}
    return body


# ------------------------------------------------------------------------------------------------ decoding


def parse_usage(u: Mapping[str, Any] | None) -> Usage | None:
    """Usage from every OpenAI-compatible spelling (cached input has four names across hosts)."""
    if not u:
        return None
    out_details = u.get("completion_tokens_details") or {}
    in_details = u.get("prompt_tokens_details") or {}
    cached = in_details.get("cached_tokens")
    if cached is None:
        cached = u.get("prompt_cache_hit_tokens", u.get("num_cached_tokens", u.get("cached_tokens")))
    return construct(Usage,
        input_tokens=int(u.get("prompt_tokens") or 0),
        output_tokens=int(u.get("completion_tokens") or 0),
        reasoning_tokens=out_details.get("reasoning_tokens"),
        cached_input_tokens=cached,
        cache_write_tokens=in_details.get("cache_write_tokens"),
    )


def error_fields(body: Any) -> tuple[str | None, str | None, str | None, str | None]:
    """(message, type, code, param) from an OpenAI-style error body, tolerating the variants hosts send."""
    if isinstance(body, list) and body:
        body = body[0]
    if not isinstance(body, Mapping):
        return (str(body)[:500] if body else None), None, None, None
    err = body.get("error", body)
    if isinstance(err, str):
        return err, None, None, None
    if not isinstance(err, Mapping):
        return None, None, None, None
    message = err.get("message") or body.get("message") or body.get("detail")
    if isinstance(message, list):  # FastAPI-style validation detail
        message = "; ".join(str(m.get("msg", m)) if isinstance(m, Mapping) else str(m) for m in message)
    code = err.get("code")
    return (
        None if message is None else str(message),
        None if err.get("type") is None else str(err.get("type")),
        None if code is None else str(code),
        None if err.get("param") is None else str(err.get("param")),
    )


def _reasoning_text(msg: Mapping[str, Any]) -> str | None:
    value = msg.get("reasoning")
    if isinstance(value, str) and value:
        return value
    value = msg.get("reasoning_content")
    return value if isinstance(value, str) and value else None


def _chunk_text(item: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, text) of one typed content chunk (Mistral ``thinking`` / ``text``)."""
    kind = item.get("type")
    if kind == "thinking":
        inner = item.get("thinking") or []
        if isinstance(inner, str):
            return "reasoning", inner
        return "reasoning", "".join(c.get("text", "") for c in inner if isinstance(c, Mapping))
    if kind == "text":
        return "text", str(item.get("text") or "")
    return "other", ""


def decode_message_parts(msg: Mapping[str, Any], info: CallInfo) -> list[Part]:
    """Ordered parts of a non-streamed assistant message: reasoning, then text, then tool calls."""
    reasoning: list[str] = []
    text: list[str] = []
    r = _reasoning_text(msg)
    if r:
        reasoning.append(r)
    content = msg.get("content")
    if isinstance(content, str):
        if info.tags is not None and not reasoning:
            r_text, content = split_think(content, info.tags.open, info.tags.close,
                                          implicit_open=info.tags.implicit_open)
            if r_text:
                reasoning.append(r_text)
        text.append(content)
    elif isinstance(content, list):
        for item in content:
            if isinstance(item, str):
                text.append(item)
            elif isinstance(item, Mapping):
                kind, piece = _chunk_text(item)
                if kind == "reasoning":
                    reasoning.append(piece)
                elif kind == "text":
                    text.append(piece)
    parts: list[Part] = []
    details = msg.get("reasoning_details")
    if reasoning or details:
        parts.append(construct(ReasoningPart,
            type="reasoning", text="".join(reasoning), signature=None, redacted=None, source=info.host,
            details=tuple(details) if details else None,
        ))
    joined = "".join(text)
    if joined:
        parts.append(construct(TextPart, type="text", text=joined, signature=None))
    for tc in msg.get("tool_calls") or ():
        fn = tc.get("function") or {}
        raw = fn.get("arguments")
        parts.append(construct(ToolCall,
            type="tool_call", id=tc.get("id"), name=fn.get("name") or "", arguments=parse_arguments(raw),
            raw_arguments=raw if isinstance(raw, str) else (json.dumps(raw) if raw is not None else None),
            signature=None,
        ))
    return parts


def decode_completion(
    body: Mapping[str, Any],
    info: CallInfo,
    *,
    host_timing: dict[str, float] | None = None,
    host_cost: float | None = None,
) -> Completion:
    choices = body.get("choices")
    if not choices or not isinstance(choices, list):
        raise ProtocolError(f"{info.host} answered without choices", host=info.host, request_id=info.request_id,
                            body=json.dumps(body)[:500])
    choice = choices[0]
    msg = choice.get("message")
    if msg is None and "text" in choice:  # a text completion
        msg = {"content": choice.get("text") or ""}
    parts = decode_message_parts(msg or {}, info)
    has_calls = any(isinstance(p, ToolCall) for p in parts)
    usage_raw = body.get("usage")
    return finish_completion(
        info, parts,
        finish_reason=finish_reason(choice.get("finish_reason"), has_tool_calls=has_calls),
        native_finish_reason=choice.get("native_finish_reason") or choice.get("finish_reason"),
        usage=parse_usage(usage_raw),
        served_model=body.get("model"),
        response_id=body.get("id"),
        host_timing=host_timing,
        host_cost=host_cost,
        raw=body,
    )


class ChatStream:
    """Turns ``chat.completion.chunk`` events into neutral events, then into the final Completion.

    ``on_error`` maps an in-band error payload (Groq ``event: error``, OpenRouter's ``error`` chunk) to the
    error the stream raises.
    """

    __slots__ = (
        "_details", "_finish", "_native_finish", "_reasoning", "_splitter", "_text", "_tools",
        "done", "first_chunk", "info", "last_chunk", "on_error", "response_id", "served_model", "usage_raw",
    )

    def __init__(self, info: CallInfo, on_error: Callable[[Mapping[str, Any]], HostError]) -> None:
        self.info = info
        self.on_error = on_error
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._details: dict[int, dict[str, Any]] = {}
        self._tools = ToolCallAssembler()
        self._finish: str | None = None
        self._native_finish: str | None = None
        tags = info.tags
        self._splitter = ThinkSplitter(tags.open, tags.close, implicit_open=tags.implicit_open) if tags else None
        self.usage_raw: Mapping[str, Any] | None = None
        self.first_chunk: Mapping[str, Any] | None = None
        self.last_chunk: Mapping[str, Any] | None = None
        self.response_id: str | None = None
        self.served_model: str | None = None
        self.done = False

    def on_event(self, event: SSEEvent) -> list[StreamEvent]:
        data = event.data
        if data == "[DONE]":
            self.done = True
            return []
        try:
            chunk = json.loads(data)
        except ValueError as exc:
            raise ProtocolError(f"{self.info.host} sent a stream event that is not JSON: {data[:200]!r}",
                                host=self.info.host, request_id=self.info.request_id) from exc
        if event.event == "error":
            raise self.on_error(chunk if isinstance(chunk, Mapping) else {"error": chunk})
        if not isinstance(chunk, dict):
            raise ProtocolError(f"{self.info.host} sent a stream event that is not an object",
                                host=self.info.host, request_id=self.info.request_id)
        return self.on_chunk(chunk)

    def on_chunk(self, chunk: dict[str, Any]) -> list[StreamEvent]:
        if chunk.get("error"):
            raise self.on_error(chunk)
        if self.first_chunk is None:
            self.first_chunk = chunk
            self.response_id = chunk.get("id")
            self.served_model = chunk.get("model")
        self.last_chunk = chunk
        usage = chunk.get("usage")
        if usage:
            self.usage_raw = usage
        choices = chunk.get("choices")
        if not choices:
            return []
        choice = choices[0]
        out: list[StreamEvent] = []
        delta = choice.get("delta")
        if delta is None and choice.get("text"):  # a streamed text completion
            delta = {"content": choice["text"]}
        if delta:
            r = _reasoning_text(delta)
            if r:
                self._reasoning.append(r)
                out.append(ReasoningDelta(r))
            details = delta.get("reasoning_details")
            if details:
                self._merge_details(details)
            content = delta.get("content")
            if content:
                if isinstance(content, str):
                    self._on_text(content, out)
                else:
                    for item in content:
                        if isinstance(item, str):
                            self._on_text(item, out)
                            continue
                        kind, piece = _chunk_text(item)
                        if kind == "reasoning" and piece:
                            self._reasoning.append(piece)
                            out.append(ReasoningDelta(piece))
                        elif kind == "text" and piece:
                            self._on_text(piece, out)
            calls = delta.get("tool_calls")
            if calls:
                for tc in calls:
                    fn = tc.get("function") or {}
                    args = fn.get("arguments")
                    if args is not None and not isinstance(args, str):
                        args = json.dumps(args)
                    out.append(self._tools.feed(tc.get("index"), tc.get("id"), fn.get("name"), args))
        fr = choice.get("finish_reason")
        if fr:
            self._finish = fr
            self._native_finish = choice.get("native_finish_reason") or fr
        if out:
            self.info.mark_first_token()
        return out

    def _on_text(self, text: str, out: list[StreamEvent]) -> None:
        if self._splitter is None:
            self._text.append(text)
            out.append(TextDelta(text))
            return
        for kind, piece in self._splitter.feed(text):
            self._emit_split(kind, piece, out)

    def _emit_split(self, kind: str, piece: str, out: list[StreamEvent]) -> None:
        if kind == "reasoning":
            self._reasoning.append(piece)
            out.append(ReasoningDelta(piece))
        else:
            self._text.append(piece)
            out.append(TextDelta(piece))

    def _merge_details(self, details: list[Mapping[str, Any]]) -> None:
        for item in details:
            idx = item.get("index", 0)
            entry = self._details.setdefault(idx, {})
            for key, value in item.items():
                if key in ("text", "summary", "data"):
                    if value:
                        entry[key] = entry.get(key, "") + value
                elif key == "signature":
                    if value:
                        entry[key] = value
                else:
                    entry.setdefault(key, value)

    def flush(self) -> list[StreamEvent]:
        """Events still held back (a ``<think>`` splitter waiting for more text) at the end of the stream."""
        out: list[StreamEvent] = []
        if self._splitter is not None:
            for kind, piece in self._splitter.flush():
                self._emit_split(kind, piece, out)
        return out

    @property
    def finished(self) -> bool:
        return self.done or self._finish is not None

    def completion(self, *, host_timing: dict[str, float] | None = None, host_cost: float | None = None,
                   usage_raw: Mapping[str, Any] | None = None) -> Completion:
        parts: list[Part] = []
        if self._reasoning or self._details:
            details = tuple(self._details[k] for k in sorted(self._details)) if self._details else None
            parts.append(construct(ReasoningPart,
                type="reasoning", text="".join(self._reasoning), signature=None, redacted=None,
                source=self.info.host, details=details,
            ))
        text = "".join(self._text)
        if text:
            parts.append(construct(TextPart, type="text", text=text, signature=None))
        parts.extend(self._tools.calls())
        return finish_completion(
            self.info, parts,
            finish_reason=finish_reason(self._finish, has_tool_calls=bool(self._tools)),
            native_finish_reason=self._native_finish,
            usage=parse_usage(usage_raw if usage_raw is not None else self.usage_raw),
            served_model=self.served_model,
            response_id=self.response_id,
            host_timing=host_timing,
            host_cost=host_cost,
        )
