"""The Anthropic Messages dialect (``POST /v1/messages``), as spoken by Anthropic's API and by Claude on
Vertex AI (``:rawPredict`` / ``:streamRawPredict``).

Pure functions and a stream state machine, no I/O. What sets this dialect apart:

* The system prompt is a top-level ``system`` field, not a message; ``max_tokens`` is required.
* A turn is a list of typed content blocks: ``text``, ``image`` / ``document`` (base64 or URL sources),
  ``tool_use`` (assistant) and ``tool_result`` (sent in a *user* turn), ``thinking`` (with an opaque
  ``signature``) and ``redacted_thinking`` (opaque ``data``).
* Thinking is ``thinking: {"type": "enabled", "budget_tokens": N}`` (budget >= 1024 and < ``max_tokens``),
  ``{"type": "adaptive"}`` with ``output_config.effort`` on the models that take it (Claude 4.6 and later),
  or ``{"type": "disabled"}``. Thinking blocks must be sent back exactly as received (text and signature),
  so they are kept with their signature and the host that produced them, and only ever sent back to it.
* Streams are named SSE events: ``message_start``, ``content_block_start`` / ``_delta`` / ``_stop`` (deltas
  ``text_delta``, ``thinking_delta``, ``signature_delta``, ``input_json_delta``), ``message_delta`` (stop
  reason, output usage), ``message_stop``, ``ping`` and ``error``. Unknown events are skipped, as Anthropic
  asks clients to do.
* Usage: ``input_tokens`` excludes cached input; ``cache_read_input_tokens`` and
  ``cache_creation_input_tokens`` are counted apart. The neutral Usage adds them back into input.

Sources: docs.anthropic.com (Messages API, extended / adaptive thinking, streaming, errors) and the official
anthropic-sdk-python types; structured output through ``output_config.format`` (GA in 2026 per the AI
Gateway / LiteLLM docs that cite Anthropic's page).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ...shared.chat.caching import PromptCache
from ...shared.errors import (
    AuthenticationError,
    ConfigurationError,
    ContextWindowExceeded,
    HostError,
    InvalidRequest,
    ModelNotFound,
    NotFound,
    Overloaded,
    PaymentRequired,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    ServerError,
    UnsupportedFeature,
)
from ...shared.output import Output
from ...shared.request import Request, ThinkingPlan
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
    ToolCall,
    ToolCallDelta,
    ToolResult,
    Usage,
    construct,
)
from .common import CallInfo, event_object, finish_completion, parse_arguments

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "MessagesStream",
    "count_tokens_body",
    "decode_response",
    "encode_body",
    "encode_messages",
    "error_from_body",
    "finish_reason",
    "output_format",
    "parse_usage",
    "thinking_fields",
]

#: sent when the caller gives no max_tokens (the field is required by the Messages API)
DEFAULT_MAX_TOKENS = 4096

_SAMPLING = {
    "temperature": "temperature",
    "top_p": "top_p",
    "top_k": "top_k",
    "max_tokens": "max_tokens",
    "stop": "stop_sequences",
}

_FINISH: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "other",
}


def finish_reason(raw: str | None, *, has_tool_calls: bool = False) -> FinishReason:
    if raw is None:
        return "tool_calls" if has_tool_calls else "stop"
    return _FINISH.get(raw, "other")


# ------------------------------------------------------------------------------------------------ encoding


def _media(part: ImagePart | DocumentPart, host: str) -> dict[str, Any]:
    kind = "image" if isinstance(part, ImagePart) else "document"
    if part.url is not None:
        source: dict[str, Any] = {"type": "url", "url": part.url}
    else:
        if part.media_type is None:
            raise UnsupportedFeature(f"{host}: say the media type of this {part.type} (media_type=...)", host=host)
        source = {"type": "base64", "media_type": part.media_type, "data": part.base64}
    block: dict[str, Any] = {"type": kind, "source": source}
    if isinstance(part, DocumentPart) and part.name:
        block["title"] = part.name
    return block


def _user_blocks(message: Message, host: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": p.text} if isinstance(p, TextPart) else _media(p, host)  # type: ignore[arg-type]
            for p in message.parts if not (isinstance(p, TextPart) and not p.text)]


def _assistant_blocks(message: Message, host: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, ReasoningPart):
            # signed blocks go back unchanged, and only to the host that signed them
            if part.source != host:
                continue
            if part.redacted is not None:
                out.append({"type": "redacted_thinking", "data": part.redacted})
            elif part.signature is not None:
                out.append({"type": "thinking", "thinking": part.text, "signature": part.signature})
        elif isinstance(part, TextPart):
            if part.text:  # the API refuses empty text blocks
                out.append({"type": "text", "text": part.text})
        elif isinstance(part, ToolCall):
            out.append({"type": "tool_use", "id": part.id or f"toolu_{part.name}", "name": part.name,
                        "input": part.arguments})
    return out


def _tool_result(part: ToolResult, host: str, pending: dict[str, str]) -> dict[str, Any]:
    call_id = part.call_id or pending.get(part.name) or f"toolu_{part.name}"
    content: str | list[dict[str, Any]] = part.content
    if part.parts:
        content = [{"type": "text", "text": part.content}, *(_media(p, host) for p in part.parts)]
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": call_id, "content": content}
    if part.is_error:
        block["is_error"] = True
    return block


def encode_messages(messages: tuple[Message, ...], *, host: str) -> tuple[list[dict[str, Any]], str | None]:
    """(messages, system). Tool results travel in user turns; consecutive user turns are merged, since the
    conversation must alternate between ``user`` and ``assistant``."""
    out: list[dict[str, Any]] = []
    system: list[str] = []
    pending: dict[str, str] = {}

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})

    for message in messages:
        if message.role == "system":
            system.append(message.text)
        elif message.role == "user":
            add("user", _user_blocks(message, host))
        elif message.role == "assistant":
            blocks = _assistant_blocks(message, host)
            for block in blocks:
                if block["type"] == "tool_use":
                    pending[block["name"]] = block["id"]
            add("assistant", blocks)
        else:
            add("user", [_tool_result(p, host, pending) for p in message.parts if isinstance(p, ToolResult)])
    return out, ("\n\n".join(system) if system else None)


def thinking_fields(plan: ThinkingPlan, *, host: str) -> dict[str, Any]:
    """Top-level fields for a thinking plan: ``thinking`` and, for adaptive thinking, ``output_config``."""
    if not plan.enabled:
        return {"thinking": {"type": "disabled"}}
    if plan.budget is not None:
        if plan.budget < 1024:
            raise UnsupportedFeature(f"{host}: a thinking budget must be at least 1024 tokens, not {plan.budget}",
                                     host=host)
        return {"thinking": {"type": "enabled", "budget_tokens": plan.budget}}
    fields: dict[str, Any] = {"thinking": {"type": "adaptive"}}
    if plan.effort is not None:
        fields["output_config"] = {"effort": plan.effort}
    return fields


def output_format(output: Output, *, host: str) -> dict[str, Any]:
    """``output_config.format`` for a schema (Anthropic's constrained decoding wants every object closed)."""
    if output.schema is None:
        raise UnsupportedFeature(f"{host}: native structured output needs a schema", host=host)
    try:
        schema = inline_defs(output.schema)
    except RecursiveSchema:
        schema = output.schema
    schema = strip_titles(schema)
    strict = strict_schema(schema)
    if strict is None:
        raise UnsupportedFeature(f"{host}: this schema has free-form maps, which Anthropic's structured output "
                                 "cannot take; use output_mode='tool'", host=host)
    return {"type": "json_schema", "schema": strict}


def encode_tool_choice(choice: str) -> dict[str, Any]:
    if choice == "auto":
        return {"type": "auto"}
    if choice == "none":
        return {"type": "none"}
    if choice == "required":
        return {"type": "any"}
    return {"type": "tool", "name": choice}


def encode_body(request: Request, model_id: str | None, *, host: str) -> dict[str, Any]:
    """The JSON body of a Messages call (``model_id`` None leaves ``model`` out, as Vertex wants)."""
    messages, system = encode_messages(request.messages, host=host)
    body: dict[str, Any] = {}
    if model_id is not None:
        body["model"] = model_id
    if system:
        body["system"] = system
    body["messages"] = messages
    for name, value in request.sampling.items():
        wire = _SAMPLING.get(name)
        if wire is None:
            raise UnsupportedFeature(f"{host} does not accept the sampling setting {name!r}", host=host)
        body[wire] = list(value) if name == "stop" else value
    body.setdefault("max_tokens", DEFAULT_MAX_TOKENS)
    plan = request.thinking
    if plan is not None and plan.enabled and not plan.include_reasoning:
        raise UnsupportedFeature(f"{host}: Claude's thinking blocks come back signed and must be sent back on tool "
                                 "turns, so they cannot be hidden; use Thinking(include=True)", host=host)
    if plan is not None and not plan.always_on:
        fields = thinking_fields(plan, host=host)
        budget = fields["thinking"].get("budget_tokens")
        if budget is not None and budget >= body["max_tokens"]:
            raise UnsupportedFeature(f"{host}: the thinking budget ({budget}) must be below max_tokens "
                                     f"({body['max_tokens']})", host=host)
        body.update(fields)
    if request.tools:
        body["tools"] = [{"name": t.name, "description": t.description, "input_schema": t.parameters}
                         for t in request.tools]
    if request.tool_choice is not None:
        if not request.tools and request.tool_choice != "none":
            raise UnsupportedFeature("tool_choice was given without any tools", host=host)
        thinking_on = body.get("thinking", {}).get("type") in ("enabled", "adaptive")
        if thinking_on and request.tool_choice not in ("auto", "none"):
            raise UnsupportedFeature(f"{host}: with thinking on, Claude takes tool_choice auto or none only "
                                     "(a forced tool is refused)", host=host)
        body["tool_choice"] = encode_tool_choice(request.tool_choice)
    if request.output is not None and request.output_mode == "native":
        body.setdefault("output_config", {})["format"] = output_format(request.output, host=host)
    apply_cache_control(body, request.prompt_cache, host=host)
    if request.stream:
        body["stream"] = True
    return body


def apply_cache_control(body: dict[str, Any], cache: PromptCache | None, *, host: str) -> None:
    """Mark ``cache``'s breakpoints on a Messages body: a ``cache_control`` on the last tool, the last system
    block, or the last block of the last message (a string content becomes one text block to carry it), with
    the ``ttl`` when one is given (the API's default is 5 minutes). A breakpoint with nothing before it to
    cache is refused: the API would answer 400 for an empty system, and a missing tool list caches nothing."""
    if cache is None or not cache.breakpoints:
        return
    mark: dict[str, Any] = {"type": "ephemeral"}
    if cache.ttl is not None:
        mark["ttl"] = cache.ttl
    for point in cache.breakpoints:
        if point == "tools":
            if not body.get("tools"):
                raise ConfigurationError(f"{host}: a 'tools' cache breakpoint needs tools in the call", host=host)
            body["tools"][-1]["cache_control"] = dict(mark)
            continue
        if point == "system":
            owner, key = body, "system"
        else:
            owner, key = body["messages"][-1], "content"
        blocks = owner.get(key)
        if not blocks:
            raise ConfigurationError(f"{host}: a {point!r} cache breakpoint needs a {point} prompt to cache",
                                     host=host)
        if isinstance(blocks, str):
            blocks = owner[key] = [{"type": "text", "text": blocks}]
        blocks[-1]["cache_control"] = dict(mark)


#: what the token-counting endpoint (``/v1/messages/count_tokens``; Vertex's ``count-tokens:rawPredict``) takes of
#: a Messages body: the input and what shapes it, never the answer's settings (``max_tokens``, ``stream``, sampling)
_COUNT_KEYS = ("model", "system", "messages", "tools", "tool_choice", "thinking")


def count_tokens_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """The token-counting body for a Messages body (which must carry ``model``: the endpoint is not per model)."""
    return {key: body[key] for key in _COUNT_KEYS if key in body}


# ------------------------------------------------------------------------------------------------ decoding


def parse_usage(u: Mapping[str, Any] | None) -> Usage | None:
    if not u:
        return None
    read = u.get("cache_read_input_tokens")
    write = u.get("cache_creation_input_tokens")
    return construct(Usage,
        input_tokens=int(u.get("input_tokens") or 0) + int(read or 0) + int(write or 0),
        output_tokens=int(u.get("output_tokens") or 0),
        reasoning_tokens=None,  # Anthropic bills thinking as output and does not count it apart
        cached_input_tokens=read,
        cache_write_tokens=write,
    )


def _block_part(block: Mapping[str, Any], host: str) -> Part | None:
    kind = block.get("type")
    if kind == "text":
        return construct(TextPart, type="text", text=block.get("text") or "", signature=None)
    if kind == "thinking":
        return construct(ReasoningPart, type="reasoning", text=block.get("thinking") or "",
                                             signature=block.get("signature"), redacted=None, source=host,
                                             details=None)
    if kind == "redacted_thinking":
        return construct(ReasoningPart, type="reasoning", text="", signature=None,
                                             redacted=block.get("data") or "", source=host, details=None)
    if kind == "tool_use":
        args = block.get("input") or {}
        return construct(ToolCall, type="tool_call", id=block.get("id"), name=block.get("name") or "",
                                        arguments=args if isinstance(args, dict) else {},
                                        raw_arguments=json.dumps(args, ensure_ascii=False), signature=None)
    return None  # server tool blocks, citations-only blocks and future kinds are not part of the answer


def decode_response(body: Mapping[str, Any], info: CallInfo) -> Completion:
    content = body.get("content")
    if not isinstance(content, list):
        raise ProtocolError(f"{info.host} answered without content blocks", host=info.host,
                            request_id=info.request_id, body=json.dumps(body)[:500])
    parts = [p for p in (_block_part(b, info.host) for b in content if isinstance(b, Mapping)) if p is not None]
    raw_finish = body.get("stop_reason")
    return finish_completion(
        info, parts,
        finish_reason=finish_reason(raw_finish, has_tool_calls=any(isinstance(p, ToolCall) for p in parts)),
        native_finish_reason=raw_finish,
        usage=parse_usage(body.get("usage")),
        served_model=body.get("model"),
        response_id=body.get("id"),
        raw=body,
    )


class MessagesStream:
    """Named SSE events of a streamed Messages call in, neutral events out.

    Blocks are built by their ``index``; tool calls are numbered in the order they start, and their input
    arrives as JSON text fragments (``input_json_delta``) joined at the end.
    """

    __slots__ = ("_blocks", "_done", "_finish", "_tools", "_usage", "info", "on_error", "response_id",
                 "served_model")

    def __init__(self, info: CallInfo, on_error: Callable[[Mapping[str, Any]], HostError]) -> None:
        self.info = info
        self.on_error = on_error
        self._blocks: dict[int, dict[str, Any]] = {}
        self._tools = 0
        self._finish: str | None = None
        self._usage: dict[str, Any] = {}
        self._done = False
        self.response_id: str | None = None
        self.served_model: str | None = None

    def on_event(self, event: SSEEvent) -> list[StreamEvent]:
        data = event_object(event.data, self.info)
        kind = data.get("type") or event.event
        if kind == "error" or event.event == "error":
            raise self.on_error(data)
        out: list[StreamEvent] = []
        if kind == "content_block_delta":
            self._on_delta(int(data.get("index", 0)), data.get("delta") or {}, out)
        elif kind == "content_block_start":
            self._on_start(int(data.get("index", 0)), data.get("content_block") or {}, out)
        elif kind == "message_start":
            message = data.get("message") or {}
            self.response_id = message.get("id")
            self.served_model = message.get("model")
            self._usage.update(message.get("usage") or {})
        elif kind == "message_delta":
            delta = data.get("delta") or {}
            if delta.get("stop_reason"):
                self._finish = delta["stop_reason"]
            self._usage.update({k: v for k, v in (data.get("usage") or {}).items() if v is not None})
        elif kind == "message_stop":
            self._done = True
        # ping, content_block_stop and event kinds added later carry nothing to keep
        if out:
            self.info.mark_first_token()
        return out

    def _on_start(self, index: int, block: Mapping[str, Any], out: list[StreamEvent]) -> None:
        kind = block.get("type")
        entry: dict[str, Any] = {"type": kind, "pieces": [], "signature": None, "data": None}
        if kind == "tool_use":
            entry.update(id=block.get("id"), name=block.get("name") or "", tool_index=self._tools)
            self._tools += 1
            out.append(ToolCallDelta(index=entry["tool_index"], id=entry["id"], name=entry["name"]))
        elif kind == "redacted_thinking":
            entry["data"] = block.get("data") or ""
        elif kind in ("text", "thinking"):
            first = block.get("text") if kind == "text" else block.get("thinking")
            if first:
                entry["pieces"].append(first)
                out.append(TextDelta(first) if kind == "text" else ReasoningDelta(first))
            entry["signature"] = block.get("signature") or None
        self._blocks[index] = entry

    def _on_delta(self, index: int, delta: Mapping[str, Any], out: list[StreamEvent]) -> None:
        entry = self._blocks.get(index)
        if entry is None:
            raise ProtocolError(f"{self.info.host} sent a delta for block {index} before the block started",
                                host=self.info.host, request_id=self.info.request_id)
        kind = delta.get("type")
        if kind == "text_delta":
            text = delta.get("text") or ""
            if text:
                entry["pieces"].append(text)
                out.append(TextDelta(text))
        elif kind == "thinking_delta":
            text = delta.get("thinking") or ""
            if text:
                entry["pieces"].append(text)
                out.append(ReasoningDelta(text))
        elif kind == "signature_delta":
            entry["signature"] = (entry["signature"] or "") + (delta.get("signature") or "")
        elif kind == "input_json_delta":
            piece = delta.get("partial_json") or ""
            if piece:
                entry["pieces"].append(piece)
                out.append(ToolCallDelta(index=entry["tool_index"], arguments=piece))

    def flush(self) -> list[StreamEvent]:
        return []

    @property
    def finished(self) -> bool:
        return self._done

    def completion(self) -> Completion:
        parts: list[Part] = []
        for index in sorted(self._blocks):
            entry = self._blocks[index]
            kind = entry["type"]
            text = "".join(entry["pieces"])
            if kind == "text":
                if text:
                    parts.append(construct(TextPart, type="text", text=text, signature=None))
            elif kind == "thinking":
                parts.append(construct(ReasoningPart, type="reasoning", text=text, signature=entry["signature"],
                                                           redacted=None, source=self.info.host, details=None))
            elif kind == "redacted_thinking":
                parts.append(construct(ReasoningPart, type="reasoning", text="", signature=None,
                                                           redacted=entry["data"], source=self.info.host,
                                                           details=None))
            elif kind == "tool_use":
                raw = text or "{}"
                parts.append(construct(ToolCall, type="tool_call", id=entry["id"], name=entry["name"],
                                                      arguments=parse_arguments(raw), raw_arguments=raw,
                                                      signature=None))
        return finish_completion(
            self.info, parts,
            finish_reason=finish_reason(self._finish, has_tool_calls=self._tools > 0),
            native_finish_reason=self._finish,
            usage=parse_usage(self._usage),
            served_model=self.served_model,
            response_id=self.response_id,
        )


# ------------------------------------------------------------------------------------------------ errors

_ERROR_TYPES: dict[str, type[HostError]] = {
    "invalid_request_error": InvalidRequest,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDenied,
    "billing_error": PaymentRequired,
    "not_found_error": NotFound,
    "request_too_large": InvalidRequest,
    "rate_limit_error": RateLimited,
    "api_error": ServerError,
    "timeout_error": ServerError,
    "overloaded_error": Overloaded,
}

_CONTEXT_MARKERS = ("prompt is too long", "context window", "context limit", "exceed context")


def is_error_body(body: Any) -> bool:
    return isinstance(body, Mapping) and body.get("type") == "error" and isinstance(body.get("error"), Mapping)


def error_from_body(host: str, status: int, body: Any, fallback: Callable[[int], type[HostError]]) -> HostError:
    """A typed error from ``{"type": "error", "error": {"type", "message"}, "request_id"}``."""
    err = body.get("error") if isinstance(body, Mapping) else None
    etype = message = None
    if isinstance(err, Mapping):
        etype = err.get("type")
        message = err.get("message")
    text = str(message or "")
    cls = _ERROR_TYPES.get(str(etype)) if etype else None
    if cls is None:
        cls = fallback(status) if status >= 400 else ServerError
    if cls is InvalidRequest and any(m in text.lower() for m in _CONTEXT_MARKERS):
        cls = ContextWindowExceeded
    if cls is NotFound and "model" in text.lower():
        cls = ModelNotFound
    raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    request_id = body.get("request_id") if isinstance(body, Mapping) else None
    return cls(text or f"{host} answered HTTP {status}", host=host, status=status if status != 200 else None,
               code=str(etype) if etype else None, request_id=request_id, body=raw)
