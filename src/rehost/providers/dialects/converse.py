"""AWS Bedrock's Converse dialect (``POST /model/{modelId}/converse`` and ``/converse-stream``): pure codec, no I/O.

What sets it apart (HOSTS-MORE §1.4-1.7, botocore's ``bedrock-runtime`` service model):

* The model id travels in the URL, not the body. The system prompt is a top-level ``system`` list of blocks;
  sampling is ``inferenceConfig`` (``maxTokens``, ``temperature``, ``topP``, ``stopSequences``; no ``topK``).
* Content blocks are one-key objects: ``text``, ``image{format, source{bytes}}``, ``document{format, name,
  source{bytes}}``, ``toolUse{toolUseId, name, input}``, ``toolResult{toolUseId, content[], status}`` (in a user
  turn), ``reasoningContent{reasoningText{text, signature} | redactedContent}`` and ``cachePoint``. Bytes are
  base64 in the JSON.
* Tools are ``toolConfig{tools[{toolSpec{name, description, inputSchema{json}}}], toolChoice}``; a structured
  answer is ``outputConfig.textFormat`` whose JSON schema is a *string*.
* Model-specific fields (thinking, ``top_k``) ride in ``additionalModelRequestFields``: the host decides them
  per model family (``providers/bedrock.py``), this codec only carries them.
* Usage counts cache reads and writes apart from ``inputTokens`` (``totalTokens`` is their sum with output).
* ConverseStream is AWS's binary event stream (``bedrock_eventstream``); its events are ``messageStart``,
  ``contentBlockStart`` (tool blocks only), ``contentBlockDelta``, ``contentBlockStop``, ``messageStop``,
  ``metadata`` (usage, after ``messageStop``), and exception messages, which are raised as typed errors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ...shared.errors import (
    AuthenticationError,
    ContextWindowExceeded,
    HostError,
    InvalidRequest,
    ModelNotFound,
    NotFound,
    Overloaded,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    ServerError,
    UnsupportedFeature,
)
from ...shared.output import Output
from ...shared.request import Request
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

__all__ = ["CACHE_POINT", "ConverseStream", "decode_response", "encode_messages", "encode_tools", "error_class",
           "error_from_body", "finish_reason", "output_config", "parse_usage"]

#: a cache point block (``ttl`` defaults to five minutes)
CACHE_POINT: dict[str, Any] = {"cachePoint": {"type": "default"}}

_FINISH: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}

_IMAGE_FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/gif": "gif",
                  "image/webp": "webp"}
_DOCUMENT_FORMATS = {"application/pdf": "pdf", "text/csv": "csv", "application/msword": "doc",
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
                     "application/vnd.ms-excel": "xls",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
                     "text/html": "html", "text/plain": "txt", "text/markdown": "md"}


def finish_reason(raw: str | None, *, has_tool_calls: bool = False) -> FinishReason:
    if raw is None:
        return "tool_calls" if has_tool_calls else "stop"
    return _FINISH.get(raw, "other")


# ------------------------------------------------------------------------------------------------ encoding


def _media(part: ImagePart | DocumentPart, host: str, number: int) -> dict[str, Any]:
    """An ``image`` or ``document`` block. Converse takes bytes (or S3 locations), never a web URL."""
    if part.url is not None and part.data is None:
        if part.url.startswith("s3://"):
            source: dict[str, Any] = {"s3Location": {"uri": part.url}}
        else:
            raise UnsupportedFeature(f"{host}: Converse takes {part.type}s as bytes or s3:// locations, not a web "
                                     "URL; pass the bytes (data=...)", host=host)
    else:
        source = {"bytes": part.base64}
    table = _IMAGE_FORMATS if isinstance(part, ImagePart) else _DOCUMENT_FORMATS
    fmt = table.get((part.media_type or "").lower())
    if fmt is None:
        raise UnsupportedFeature(f"{host}: Converse takes {part.type}s of types {', '.join(sorted(table))}, not "
                                 f"{part.media_type!r}", host=host)
    if isinstance(part, ImagePart):
        return {"image": {"format": fmt, "source": source}}
    # a document needs a name, unique within the request (it becomes part of the prompt)
    return {"document": {"name": part.name or f"Document {number}", "format": fmt, "source": source}}


ReasoningEncoder = Callable[[ReasoningPart], "dict[str, Any] | None"]


def encode_messages(messages: tuple[Message, ...], *, host: str,
                    reasoning: ReasoningEncoder) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(messages, system). Tool results travel in user turns; consecutive turns of one role are merged, since
    Converse wants the conversation to alternate. ``reasoning`` turns a ReasoningPart of an earlier answer into
    the block sent back (or None to leave it out): that is per model family, so the host decides it."""
    out: list[dict[str, Any]] = []
    system: list[dict[str, Any]] = []
    documents = 0

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})

    def media(part: ImagePart | DocumentPart) -> dict[str, Any]:
        nonlocal documents
        if isinstance(part, DocumentPart):
            documents += 1
        return _media(part, host, documents)

    for message in messages:
        blocks: list[dict[str, Any]] = []
        if message.role == "system":
            if message.text:
                system.append({"text": message.text})
            continue
        for part in message.parts:
            if isinstance(part, TextPart):
                if part.text:  # Converse refuses blank text blocks
                    blocks.append({"text": part.text})
            elif isinstance(part, ImagePart | DocumentPart):
                blocks.append(media(part))
            elif isinstance(part, ReasoningPart):
                block = reasoning(part)
                if block is not None:
                    blocks.append(block)
            elif isinstance(part, ToolCall):
                blocks.append({"toolUse": {"toolUseId": part.id or f"tooluse_{part.name}", "name": part.name,
                                           "input": part.arguments}})
            elif isinstance(part, ToolResult):
                content: list[dict[str, Any]] = [{"text": part.content}] if part.content else []
                content.extend(media(p) for p in part.parts)
                blocks.append({"toolResult": {"toolUseId": part.call_id or f"tooluse_{part.name}",
                                              "content": content or [{"text": ""}],
                                              "status": "error" if part.is_error else "success"}})
        add("assistant" if message.role == "assistant" else "user", blocks)
    return out, system


def encode_tools(request: Request, *, host: str) -> dict[str, Any] | None:
    """``toolConfig`` for the request's tools (None when it has none)."""
    if not request.tools:
        if request.tool_choice not in (None, "none"):
            raise UnsupportedFeature("tool_choice was given without any tools", host=host)
        return None
    tools: list[dict[str, Any]] = []
    for tool in request.tools:
        spec: dict[str, Any] = {"name": tool.name}
        if tool.description:
            spec["description"] = tool.description
        spec["inputSchema"] = {"json": tool.parameters}
        if tool.strict is not None:
            spec["strict"] = tool.strict
        tools.append({"toolSpec": spec})
    config: dict[str, Any] = {"tools": tools}
    choice = request.tool_choice
    if choice == "none":
        raise UnsupportedFeature(f"{host}: Converse has no tool_choice 'none' (auto, required or a tool name); "
                                 "leave the tools out instead", host=host)
    if choice == "auto":
        config["toolChoice"] = {"auto": {}}
    elif choice == "required":
        config["toolChoice"] = {"any": {}}
    elif choice is not None:
        config["toolChoice"] = {"tool": {"name": choice}}
    return config


def output_config(output: Output, *, host: str) -> dict[str, Any]:
    """``outputConfig.textFormat`` for a schema: Converse wants the JSON schema as a string."""
    if output.schema is None:
        raise UnsupportedFeature(f"{host}: native structured output needs a schema", host=host)
    schema: dict[str, Any] = {"name": output.name, "schema": json.dumps(output.schema, ensure_ascii=False)}
    if output.description:
        schema["description"] = output.description
    return {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": schema}}}


# ------------------------------------------------------------------------------------------------ decoding


def parse_usage(u: Mapping[str, Any] | None) -> Usage | None:
    if not u:
        return None
    read = u.get("cacheReadInputTokens")
    write = u.get("cacheWriteInputTokens")
    return construct(Usage,
        input_tokens=int(u.get("inputTokens") or 0) + int(read or 0) + int(write or 0),
        output_tokens=int(u.get("outputTokens") or 0),
        reasoning_tokens=None,  # Converse does not count reasoning apart
        cached_input_tokens=read,
        cache_write_tokens=write,
    )


def _reasoning(block: Mapping[str, Any], host: str) -> ReasoningPart:
    if "redactedContent" in block:
        return construct(ReasoningPart, type="reasoning", text="", signature=None,
                         redacted=block.get("redactedContent") or "", source=host, details=None)
    text = block.get("reasoningText") or {}
    return construct(ReasoningPart, type="reasoning", text=text.get("text") or "", signature=text.get("signature"),
                     redacted=None, source=host, details=None)


def _block_part(block: Mapping[str, Any], host: str) -> Part | None:
    if "text" in block:
        return construct(TextPart, type="text", text=block.get("text") or "", signature=None)
    if "reasoningContent" in block:
        return _reasoning(block["reasoningContent"] or {}, host)
    if "toolUse" in block:
        use = block["toolUse"] or {}
        args = use.get("input") or {}
        return construct(ToolCall, type="tool_call", id=use.get("toolUseId"), name=use.get("name") or "",
                         arguments=args if isinstance(args, dict) else {},
                         raw_arguments=json.dumps(args, ensure_ascii=False), signature=None)
    return None  # citations, server-tool results, images and later kinds are not part of the neutral answer


def _ordered(parts: list[Part], reasoning_first: bool) -> list[Part]:
    if not reasoning_first:
        return parts
    return [p for p in parts if isinstance(p, ReasoningPart)] + [p for p in parts if not isinstance(p, ReasoningPart)]


def decode_response(body: Mapping[str, Any], info: CallInfo, *, reasoning_first: bool = False) -> Completion:
    """A Converse answer. ``reasoning_first`` puts reasoning blocks ahead of text, for models that answer in the
    other order (DeepSeek R1 sends ``[text, reasoningContent]``)."""
    message = (body.get("output") or {}).get("message")
    if not isinstance(message, Mapping) or not isinstance(message.get("content"), list):
        raise ProtocolError(f"{info.host} answered without output.message.content", host=info.host,
                            request_id=info.request_id, body=json.dumps(body)[:500])
    parts = [p for p in (_block_part(b, info.host) for b in message["content"] if isinstance(b, Mapping))
             if p is not None]
    raw_finish = body.get("stopReason")
    return finish_completion(
        info, _ordered(parts, reasoning_first),
        finish_reason=finish_reason(raw_finish, has_tool_calls=any(isinstance(p, ToolCall) for p in parts)),
        native_finish_reason=raw_finish,
        usage=parse_usage(body.get("usage")),
        host_timing=_timing(body.get("metrics")),
        raw=body,
    )


def _timing(metrics: Any) -> dict[str, float] | None:
    if isinstance(metrics, Mapping) and isinstance(metrics.get("latencyMs"), int | float):
        return {"latency": float(metrics["latencyMs"]) / 1000.0}
    return None


class ConverseStream:
    """ConverseStream messages in (``EventMessage``: ``event`` is the event or exception type), neutral events
    out. Blocks are kept by ``contentBlockIndex``; text and reasoning blocks open on their first delta, tool
    blocks on ``contentBlockStart``, and tool input arrives as JSON text fragments joined at the end."""

    __slots__ = ("_blocks", "_done", "_finish", "_metrics", "_tools", "_usage", "info", "on_error",
                 "reasoning_first")

    def __init__(self, info: CallInfo, on_error: Callable[[str, Mapping[str, Any]], HostError], *,
                 reasoning_first: bool = False) -> None:
        self.info = info
        self.on_error = on_error
        self.reasoning_first = reasoning_first
        self._blocks: dict[int, dict[str, Any]] = {}
        self._tools = 0
        self._finish: str | None = None
        self._usage: Mapping[str, Any] | None = None
        self._metrics: Any = None
        self._done = False

    def on_event(self, event: SSEEvent) -> list[StreamEvent]:
        data = event_object(event.data, self.info, "message") if event.data else {}
        message_type = getattr(event, "message_type", "event")
        if message_type != "event":
            if message_type == "error":  # ``:error-code`` / ``:error-message`` headers, not a JSON payload
                data = {"message": str(getattr(event, "headers", {}).get(":error-message") or event.event)}
            raise self.on_error(event.event, data)
        kind = event.event
        out: list[StreamEvent] = []
        if kind == "contentBlockDelta":
            self._on_delta(int(data.get("contentBlockIndex", 0)), data.get("delta") or {}, out)
        elif kind == "contentBlockStart":
            start = data.get("start") or {}
            use = start.get("toolUse")
            if isinstance(use, Mapping):
                entry = self._entry(int(data.get("contentBlockIndex", 0)), "tool")
                entry.update(id=use.get("toolUseId"), name=use.get("name") or "")
                out.append(ToolCallDelta(index=entry["tool_index"], id=entry["id"], name=entry["name"]))
        elif kind == "messageStop":
            self._finish = data.get("stopReason")
            self._done = True
        elif kind == "metadata":
            self._usage = data.get("usage")
            self._metrics = data.get("metrics")
        # messageStart and contentBlockStop carry nothing to keep; later event kinds are skipped
        if out:
            self.info.mark_first_token()
        return out

    def _entry(self, index: int, kind: str) -> dict[str, Any]:
        entry = self._blocks.get(index)
        if entry is None:
            entry = {"type": kind, "pieces": [], "signature": None, "redacted": None}
            if kind == "tool":
                entry.update(id=None, name="", tool_index=self._tools)
                self._tools += 1
            self._blocks[index] = entry
        return entry

    def _on_delta(self, index: int, delta: Mapping[str, Any], out: list[StreamEvent]) -> None:
        text = delta.get("text")
        if text is not None:
            if text:
                self._entry(index, "text")["pieces"].append(text)
                out.append(TextDelta(text))
            return
        reasoning = delta.get("reasoningContent")
        if isinstance(reasoning, Mapping):
            entry = self._entry(index, "reasoning")
            piece = reasoning.get("text")
            if piece:
                entry["pieces"].append(piece)
                out.append(ReasoningDelta(piece))
            if reasoning.get("signature"):
                entry["signature"] = (entry["signature"] or "") + reasoning["signature"]
            if reasoning.get("redactedContent"):
                entry["redacted"] = (entry["redacted"] or "") + reasoning["redactedContent"]
            return
        use = delta.get("toolUse")
        if isinstance(use, Mapping):
            entry = self._entry(index, "tool")
            piece = use.get("input") or ""
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
            text = "".join(entry["pieces"])
            if entry["type"] == "text":
                parts.append(construct(TextPart, type="text", text=text, signature=None))
            elif entry["type"] == "reasoning":
                parts.append(construct(ReasoningPart, type="reasoning", text=text, signature=entry["signature"],
                                       redacted=entry["redacted"], source=self.info.host, details=None))
            else:
                raw = text or "{}"
                parts.append(construct(ToolCall, type="tool_call", id=entry["id"], name=entry["name"],
                                       arguments=parse_arguments(raw), raw_arguments=raw, signature=None))
        return finish_completion(
            self.info, _ordered(parts, self.reasoning_first),
            finish_reason=finish_reason(self._finish, has_tool_calls=self._tools > 0),
            native_finish_reason=self._finish,
            usage=parse_usage(self._usage),
            host_timing=_timing(self._metrics),
        )


# ------------------------------------------------------------------------------------------------ errors

#: each exception's class and, for exceptions inside a stream, its HTTP status (HOSTS-MORE §1.6-1.7)
_EXCEPTIONS: dict[str, tuple[type[HostError], int]] = {
    "validationexception": (InvalidRequest, 400),
    "servicequotaexceededexception": (RateLimited, 400),
    "conflictexception": (InvalidRequest, 400),
    "accessdeniedexception": (PermissionDenied, 403),
    "unrecognizedclientexception": (AuthenticationError, 403),
    "invalidsignatureexception": (AuthenticationError, 403),
    "expiredtokenexception": (AuthenticationError, 403),
    "resourcenotfoundexception": (NotFound, 404),
    "modeltimeoutexception": (ServerError, 408),
    "modelerrorexception": (ServerError, 424),
    "modelstreamerrorexception": (ServerError, 424),
    "throttlingexception": (RateLimited, 429),
    "modelnotreadyexception": (Overloaded, 429),
    "internalserverexception": (ServerError, 500),
    "serviceunavailableexception": (Overloaded, 503),
}

_CONTEXT_MARKERS = ("too long", "context window", "context length", "maximum context", "too many input tokens")
_MODEL_MARKERS = ("model identifier is invalid", "model id", "model identifier")


def error_class(code: str | None, status: int,
                fallback: Callable[[int], type[HostError]]) -> tuple[type[HostError], int]:
    """The class and status of an exception named ``code`` (any case), else of the HTTP status."""
    found = _EXCEPTIONS.get((code or "").lower())
    if found is not None:
        return found[0], (status if status >= 400 else found[1])
    return (fallback(status) if status >= 400 else ServerError), status


def error_from_body(host: str, status: int, code: str | None, body: Any,
                    fallback: Callable[[int], type[HostError]]) -> HostError:
    """A typed error from Bedrock's ``{"message": ...}`` body and the exception name (the ``x-amzn-ErrorType``
    header, or the ``:exception-type`` of a stream message)."""
    message = None
    if isinstance(body, Mapping):
        message = body.get("message") or body.get("Message")
        code = code or body.get("__type")
    if code and "#" in code:  # ``namespace#Name`` in some AWS JSON bodies
        code = code.rsplit("#", 1)[1]
    cls, status = error_class(code, status, fallback)
    text = str(message or f"{host} answered HTTP {status}")
    lowered = text.lower()
    if cls is InvalidRequest and any(m in lowered for m in _CONTEXT_MARKERS):
        cls = ContextWindowExceeded
    if cls in (InvalidRequest, NotFound) and any(m in lowered for m in _MODEL_MARKERS):
        cls = ModelNotFound
    raw = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return cls(text, host=host, status=status if status >= 400 else None, code=code or None, body=raw)
