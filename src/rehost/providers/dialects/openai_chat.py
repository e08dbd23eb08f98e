"""The OpenAI ``/chat/completions`` dialect, as spoken by Groq, OpenRouter, DeepSeek, Mistral, Together,
Fireworks and local servers.

Pure functions and a stream state machine, no I/O, and no host knowledge: where an answer carries
reasoning (which message fields, a verbatim details list, typed chunks in ``content``) and what finish
reasons mean come in as a ``Reading`` that each host's chat endpoint declares; request field names,
thinking fields, error bodies and extras come in through the endpoint's hooks. ``<think>`` tags inline in
``content`` are split out when the model's client says its model writes them.

A whole answer is decoded by the same state machine as a stream (its message fed as one delta), so the
two can never disagree on what is reasoning and what is text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from ...shared.chat.events import ReasoningDelta, TextDelta
from ...shared.chat.plain import FinishReason, construct
from ...shared.errors import HostError, ProtocolError, UnsupportedFeature
from ...shared.lazy import lazy_module
from ...shared.output import Output
from ...shared.request import Request
from ...shared.schema import RecursiveSchema, inline_defs, strict_schema, strip_titles
from ...shared.sse import SSEEvent
from .common import CallInfo, ToolCallAssembler, event_json, finish_completion, not_an_object
from .think_tags import ThinkSplitter

if TYPE_CHECKING:  # the neutral types (pydantic models) are imported by the functions that build or test them,
    # so that importing a host loads no pydantic model machinery (issue 18: import time)
    from ...shared.chat import completion as _completion
    from ...shared.chat import messages as _messages
    from ...shared.types import (
        Completion,
        DocumentPart,
        ImagePart,
        Message,
        Part,
        ReasoningPart,
        StreamEvent,
        Tool,
        ToolCall,
        ToolChoice,
        Usage,
    )
else:
    _completion = lazy_module("rehost.shared.chat.completion")
    _messages = lazy_module("rehost.shared.chat.messages")

__all__ = [
    "DEFAULT_SAMPLING_FIELDS",
    "ChatStream",
    "OPENAI_FINISH_REASONS",
    "PartEncoder",
    "Reading",
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
ReasoningEncoder: TypeAlias = "Callable[[list[ReasoningPart], dict[str, Any]], None]"
#: one image or document part of a user turn, in the host's spelling
PartEncoder: TypeAlias = "Callable[[ImagePart | DocumentPart], dict[str, Any]]"

#: the finish reasons OpenAI documents for chat completions; hosts add their own in ``Reading.finish_reasons``
OPENAI_FINISH_REASONS: Mapping[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


@dataclass(frozen=True, slots=True)
class Reading:
    """Where one host's answers carry what the OpenAI schema has no field for, declared by its endpoint.

    ``reasoning_fields``: message / delta string fields holding reasoning, the first non-empty one read;
    ``details_field``: a list of reasoning items kept verbatim for send-back; ``thinking_chunk``: the
    ``type`` of typed ``content`` chunks that hold reasoning; ``finish_reasons``: native finish reason ->
    neutral one (anything unlisted is ``other``).
    """

    reasoning_fields: tuple[str, ...] = ()
    details_field: str | None = None
    thinking_chunk: str | None = None
    finish_reasons: Mapping[str, FinishReason] = field(default_factory=lambda: dict(OPENAI_FINISH_REASONS))


_PLAIN = Reading()


def finish_reason(raw: str | None, *, has_tool_calls: bool = False,
                  reasons: Mapping[str, FinishReason] = OPENAI_FINISH_REASONS) -> FinishReason:
    if raw is None:
        return "tool_calls" if has_tool_calls else "stop"
    return reasons.get(raw, "other")


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
    from ...shared.chat.messages import ImagePart

    if isinstance(part, ImagePart):
        return {"type": "image_url", "image_url": {"url": part.data_url}}
    return {"type": "file", "file": {"filename": part.name or "document.pdf", "file_data": part.data_url}}


def _user_content(message: Message, encode: PartEncoder) -> str | list[dict[str, Any]]:
    text_part = _messages.TextPart
    if all(isinstance(p, text_part) for p in message.parts):
        return message.text
    return [{"type": "text", "text": p.text} if isinstance(p, text_part) else encode(p)  # type: ignore[arg-type]
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
            reasoning = [p for p in message.parts if isinstance(p, _messages.ReasoningPart)]
            if reasoning and encode_reasoning is not None:
                encode_reasoning(reasoning, wire)
            out.append(wire)
        else:
            for part in message.parts:
                assert isinstance(part, _messages.ToolResult)
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
    return construct(_completion.Usage,
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


def _reasoning_text(msg: Mapping[str, Any], fields: tuple[str, ...]) -> str | None:
    for name in fields:
        value = msg.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _chunk_text(item: Mapping[str, Any], thinking_chunk: str | None) -> tuple[str, str]:
    """(kind, text) of one typed content chunk (``text``, or the host's reasoning chunk type)."""
    kind = item.get("type")
    if thinking_chunk is not None and kind == thinking_chunk:
        inner = item.get(thinking_chunk) or []
        if isinstance(inner, str):
            return "reasoning", inner
        return "reasoning", "".join(c.get("text", "") for c in inner if isinstance(c, Mapping))
    if kind == "text":
        return "text", str(item.get("text") or "")
    return "other", ""


def decode_message_parts(msg: Mapping[str, Any], info: CallInfo, reading: Reading = _PLAIN) -> list[Part]:
    """Ordered parts of a non-streamed assistant message: reasoning, then text, then tool calls (decoded by
    the stream's state machine, the message being one delta)."""
    state = ChatStream(info, _no_inband_error, reading)
    state.on_delta(msg, whole=True)
    state.flush()
    return state.parts()


def _no_inband_error(payload: Mapping[str, Any]) -> HostError:  # pragma: no cover - a whole answer has none
    raise AssertionError("a whole message has no in-band error")


def decode_completion(
    body: Mapping[str, Any],
    info: CallInfo,
    *,
    reading: Reading = _PLAIN,
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
    parts = decode_message_parts(msg or {}, info, reading)
    has_calls = any(p.type == "tool_call" for p in parts)
    usage_raw = body.get("usage")
    return finish_completion(
        info, parts,
        finish_reason=finish_reason(choice.get("finish_reason"), has_tool_calls=has_calls,
                                    reasons=reading.finish_reasons),
        native_finish_reason=choice.get("native_finish_reason") or choice.get("finish_reason"),
        usage=parse_usage(usage_raw),
        served_model=body.get("model"),
        response_id=body.get("id"),
        host_timing=host_timing,
        host_cost=host_cost,
        raw=body,
    )


class ChatStream:
    """Turns ``chat.completion.chunk`` events into neutral events, then into the final Completion; a whole
    answer's message goes through ``on_delta`` too (``decode_message_parts``).

    ``on_error`` maps an in-band error payload (Groq ``event: error``, OpenRouter's ``error`` chunk) to the
    error the stream raises; ``reading`` says where this host puts reasoning and what its finish reasons mean.
    """

    __slots__ = (
        "_details", "_finish", "_native_finish", "_reasoning", "_split_fed", "_splitter", "_text", "_tools",
        "_whole_details",
        "done", "first_chunk", "info", "last_chunk", "on_error", "reading", "response_id", "served_model",
        "usage_raw",
    )

    def __init__(self, info: CallInfo, on_error: Callable[[Mapping[str, Any]], HostError],
                 reading: Reading = _PLAIN) -> None:
        self.info = info
        self.on_error = on_error
        self.reading = reading
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._details: dict[int, dict[str, Any]] = {}
        self._whole_details: tuple[Any, ...] | None = None
        self._tools = ToolCallAssembler()
        self._finish: str | None = None
        self._native_finish: str | None = None
        tags = info.tags
        self._splitter = ThinkSplitter(tags.open, tags.close, implicit_open=tags.implicit_open) if tags else None
        self._split_fed = False
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
        chunk = event_json(data, self.info)
        if event.event == "error":
            raise self.on_error(chunk if isinstance(chunk, Mapping) else {"error": chunk})
        if not isinstance(chunk, dict):
            raise not_an_object(self.info)
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
            content = delta.get("content")
            if type(content) is str and content and self._splitter is None and (
                    len(delta) == 1 or (len(delta) == 2 and "role" in delta)):
                # the usual delta, text and nothing else: what on_delta does with it, without its calls (the
                # streaming hot path; any other field, or a model whose tags are split, takes on_delta)
                self._split_fed = True
                self._text.append(content)
                out = [TextDelta(content)]
            else:
                out = self.on_delta(delta)
        fr = choice.get("finish_reason")
        if fr:
            self._finish = fr
            self._native_finish = choice.get("native_finish_reason") or fr
        if out and self.info.time_to_first_token is None:
            self.info.mark_first_token()
        return out

    def on_delta(self, delta: Mapping[str, Any], *, whole: bool = False) -> list[StreamEvent]:
        """One delta (or, ``whole``, a complete message): reasoning fields, content, tool calls."""
        out: list[StreamEvent] = []
        reading = self.reading
        r = _reasoning_text(delta, reading.reasoning_fields)
        if r:
            if self._splitter is not None and not self._split_fed:
                # the host split the reasoning out itself: content is the answer, whatever the model's tags
                self._splitter = None
            self._reasoning.append(r)
            out.append(ReasoningDelta(r))
        details = delta.get(reading.details_field) if reading.details_field else None
        if details:
            if whole:
                self._whole_details = tuple(details)
            else:
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
                    if not isinstance(item, Mapping):
                        continue
                    kind, piece = _chunk_text(item, reading.thinking_chunk)
                    if kind == "reasoning" and piece:
                        self._reasoning.append(piece)
                        out.append(ReasoningDelta(piece))
                    elif kind == "text" and piece:
                        self._on_text(piece, out)
        calls = delta.get("tool_calls")
        if calls:
            for position, tc in enumerate(calls):
                fn = tc.get("function") or {}
                args = fn.get("arguments")
                if args is not None and not isinstance(args, str):
                    args = json.dumps(args)
                index = position if whole else tc.get("index")
                out.append(self._tools.feed(index, tc.get("id"), fn.get("name"), args))
        return out

    def _on_text(self, text: str, out: list[StreamEvent]) -> None:
        self._split_fed = True
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

    def parts(self) -> list[Part]:
        """The answer so far: reasoning, then text, then tool calls."""
        parts: list[Part] = []
        details = self._whole_details
        if details is None and self._details:
            details = tuple(self._details[k] for k in sorted(self._details))
        if self._reasoning or details:
            parts.append(construct(_messages.ReasoningPart,
                type="reasoning", text="".join(self._reasoning), signature=None, redacted=None,
                source=self.info.host, details=details or None,
            ))
        text = "".join(self._text)
        if text:
            parts.append(construct(_messages.TextPart, type="text", text=text, signature=None))
        parts.extend(self._tools.calls())
        return parts

    def completion(self, *, host_timing: dict[str, float] | None = None, host_cost: float | None = None,
                   usage_raw: Mapping[str, Any] | None = None) -> Completion:
        return finish_completion(
            self.info, self.parts(),
            finish_reason=finish_reason(self._finish, has_tool_calls=bool(self._tools),
                                        reasons=self.reading.finish_reasons),
            native_finish_reason=self._native_finish,
            usage=parse_usage(usage_raw if usage_raw is not None else self.usage_raw),
            served_model=self.served_model,
            response_id=self.response_id,
            host_timing=host_timing,
            host_cost=host_cost,
        )
