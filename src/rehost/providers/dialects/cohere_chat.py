"""Cohere's v2 chat dialect (``POST /v2/chat``, HOSTS-MORE §4): a pure codec, no I/O.

Request: OpenAI-like ``messages`` (an assistant turn's ``content`` is a list of ``thinking`` / ``text`` items,
beside ``tool_calls`` and ``tool_plan``), ``tools`` with one ``strict_tools`` switch, ``tool_choice`` only
``REQUIRED`` / ``NONE`` (auto is left out; there is no named choice), ``response_format`` (``json_object`` with
an optional ``json_schema``; not with tools), sampling as ``k`` / ``p`` / ``stop_sequences``, and
``thinking: {type: enabled | disabled, token_budget}``.

Response: ``message.content[]`` items (``thinking`` before ``text``), ``tool_calls``, ``tool_plan``,
``citations``; ``finish_reason`` in capitals; ``usage.tokens`` (what the model read and wrote),
``usage.billed_units`` and ``usage.cached_tokens``. The stream is SSE whose ``data`` objects carry a ``type``:
``message-start``, ``content-start/delta/end``, ``tool-plan-delta``, ``tool-call-start/delta/end``,
``citation-start/end``, ``message-end`` (finish reason and usage), ``debug``.

The model's ``tool_plan`` (what it means to do before calling tools) is reasoning: it is a ReasoningPart
marked ``details=({"type": "tool_plan"},)`` and goes back as ``tool_plan`` on a later turn; thinking items go
back as ``thinking`` content items.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ...shared.chat.annotations import Citation
from ...shared.errors import HostError, ProtocolError, UnsupportedFeature
from ...shared.request import Request, ThinkingPlan
from ...shared.sse import SSEEvent
from ...shared.types import (
    Completion,
    FinishReason,
    Part,
    ReasoningDelta,
    ReasoningPart,
    StreamEvent,
    TextDelta,
    TextPart,
    ToolCall,
    ToolResult,
    Usage,
    construct,
)
from .common import CallInfo, ToolCallAssembler, event_object, finish_completion, parse_arguments

__all__ = ["FINISH_REASONS", "CohereStream", "decode_chat", "encode_chat", "encode_thinking", "parse_usage"]

#: Cohere's sampling names (``k`` and ``p``, not ``top_k`` / ``top_p``) [CO-SDK]
SAMPLING = {"temperature": "temperature", "top_p": "p", "top_k": "k", "max_tokens": "max_tokens",
            "stop": "stop_sequences", "seed": "seed", "presence_penalty": "presence_penalty",
            "frequency_penalty": "frequency_penalty"}
FINISH_REASONS: Mapping[str, FinishReason] = {"COMPLETE": "stop", "STOP_SEQUENCE": "stop", "MAX_TOKENS": "length",
                                              "TOOL_CALL": "tool_calls", "ERROR": "error", "TIMEOUT": "error"}
_PLAN = {"type": "tool_plan"}


def _is_plan(part: ReasoningPart) -> bool:
    return bool(part.details) and part.details is not None and part.details[0].get("type") == "tool_plan"


def _assistant(parts: tuple[Any, ...], host: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    plan = ""
    for part in parts:
        if isinstance(part, ReasoningPart):
            if part.source not in (None, host) or not part.text:
                continue  # another host's reasoning means nothing here
            if _is_plan(part):
                plan += part.text
            else:
                content.append({"type": "thinking", "thinking": part.text})
        elif isinstance(part, TextPart):
            if part.text:
                content.append({"type": "text", "text": part.text})
        elif isinstance(part, ToolCall):
            calls.append({"id": part.id or f"{part.name}_call", "type": "function", "function": {
                "name": part.name, "arguments": part.raw_arguments or json.dumps(part.arguments, ensure_ascii=False)}})
    wire: dict[str, Any] = {"role": "assistant"}
    if len(content) == 1 and content[0]["type"] == "text" and not calls:
        wire["content"] = content[0]["text"]
    elif content:
        wire["content"] = content
    if calls:
        wire["tool_calls"] = calls
    if plan:
        wire["tool_plan"] = plan
    return wire


def encode_chat(request: Request, model_id: str, *, host: str) -> dict[str, Any]:
    """The ``/v2/chat`` body, without thinking (``encode_thinking``) and structured output (the endpoint's)."""
    messages: list[dict[str, Any]] = []
    for message in request.messages:
        if message.role in ("system", "user"):
            messages.append({"role": message.role, "content": message.text})
        elif message.role == "assistant":
            messages.append(_assistant(message.parts, host))
        else:
            for part in message.parts:
                assert isinstance(part, ToolResult)
                messages.append({"role": "tool", "tool_call_id": part.call_id or f"{part.name}_call",
                                 "content": part.content})
    body: dict[str, Any] = {"model": model_id, "messages": messages}
    for name, value in request.sampling.items():
        wire = SAMPLING.get(name)
        if wire is None:
            raise UnsupportedFeature(f"{host} does not accept the sampling setting {name!r}", host=host)
        body[wire] = list(value) if name == "stop" else value
    if request.tools:
        body["tools"] = [{"type": "function", "function": {"name": t.name, "description": t.description,
                                                           "parameters": t.parameters}} for t in request.tools]
        if any(t.strict for t in request.tools):
            body["strict_tools"] = True
    choice = request.tool_choice
    if choice is not None and choice != "auto":
        if choice not in ("required", "none"):
            # one tool that must be called is that tool: REQUIRED says it (a forced output tool travels so)
            if not (len(request.tools) == 1 and request.tools[0].name == choice):
                raise UnsupportedFeature(f"{host} cannot force one named tool ({choice!r}) among several; its "
                                         "tool_choice is REQUIRED or NONE only", host=host)
            choice = "required"
        body["tool_choice"] = choice.upper()
    body["stream"] = request.stream
    return body


def encode_thinking(plan: ThinkingPlan, body: dict[str, Any], *, host: str) -> None:
    """``thinking: {type, token_budget}``: a budget, on (the model's own depth) or off; Cohere has no effort."""
    if plan.always_on and plan.effort is None and plan.budget is None:
        return
    if not plan.enabled:
        body["thinking"] = {"type": "disabled"}
        return
    if plan.effort is not None:
        raise UnsupportedFeature(f"{host} takes a thinking token_budget, not an effort ({plan.effort!r})", host=host)
    thinking: dict[str, Any] = {"type": "enabled"}
    if plan.budget is not None:
        thinking["token_budget"] = plan.budget
    body["thinking"] = thinking


# ---------------------------------------------------------------------------------------------- decoding
def parse_usage(u: Mapping[str, Any] | None) -> Usage | None:
    """``usage.tokens`` (what the model read and wrote; ``billed_units`` is what Cohere charges, kept in raw),
    with ``cached_tokens`` as the cached part of the input. Counts are floats in Cohere's SDK types."""
    if not u:
        return None
    tokens = u.get("tokens") or u.get("billed_units") or {}
    cached = u.get("cached_tokens")
    return construct(Usage, input_tokens=int(tokens.get("input_tokens") or 0),
                     output_tokens=int(tokens.get("output_tokens") or 0), reasoning_tokens=None,
                     cached_input_tokens=None if cached is None else int(cached), cache_write_tokens=None)


def _citation(c: Mapping[str, Any]) -> Citation:
    return construct(Citation, start=int(c.get("start") or 0), end=int(c.get("end") or 0),
                     text=str(c.get("text") or ""),
                     sources=tuple(s for s in c.get("sources") or () if isinstance(s, dict)),
                     type=None if c.get("type") is None else str(c["type"]))


def _reasoning(text: str, host: str, *, plan: bool = False) -> ReasoningPart:
    return construct(ReasoningPart, type="reasoning", text=text, signature=None, redacted=None, source=host,
                     details=(dict(_PLAN),) if plan else None)


def _parts(message: Mapping[str, Any], host: str) -> list[Part]:
    parts: list[Part] = []
    if message.get("tool_plan"):
        parts.append(_reasoning(str(message["tool_plan"]), host, plan=True))
    content = message.get("content") or ()
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    for item in content:
        if not isinstance(item, Mapping):
            continue
        if item.get("type") == "thinking" and item.get("thinking"):
            parts.append(_reasoning(str(item["thinking"]), host))
        elif item.get("type") == "text" and item.get("text"):
            parts.append(construct(TextPart, type="text", text=str(item["text"]), signature=None))
    for call in message.get("tool_calls") or ():
        fn = call.get("function") or {}
        raw = fn.get("arguments")
        parts.append(construct(ToolCall, type="tool_call", id=call.get("id"), name=fn.get("name") or "",
                               arguments=parse_arguments(raw), raw_arguments=raw, signature=None))
    return parts


def _finish(native: str | None, has_calls: bool) -> FinishReason:
    reason = FINISH_REASONS.get(native or "", "stop")
    return "tool_calls" if has_calls and reason == "stop" else reason


def decode_chat(body: Mapping[str, Any], info: CallInfo) -> Completion:
    message = body.get("message")
    if not isinstance(message, Mapping):
        raise ProtocolError(f"{info.host} answered without a message", host=info.host, request_id=info.request_id)
    parts = _parts(message, info.host)
    native = body.get("finish_reason")
    done = finish_completion(
        info, parts, finish_reason=_finish(native, any(isinstance(p, ToolCall) for p in parts)),
        native_finish_reason=native, usage=parse_usage(body.get("usage")), response_id=body.get("id"),
        raw=dict(body),
    )
    citations = tuple(_citation(c) for c in message.get("citations") or () if isinstance(c, Mapping))
    return done.model_copy(update={"citations": citations}) if citations else done


class CohereStream:
    """Cohere's typed SSE events in, neutral events out; the Completion is built once, at ``message-end``."""

    __slots__ = ("_citations", "_finish", "_plan", "_reasoning", "_text", "_tools", "_usage", "done", "info",
                 "on_error", "response_id")

    def __init__(self, info: CallInfo, on_error: Callable[[Mapping[str, Any]], HostError]) -> None:
        self.info = info
        self.on_error = on_error
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._plan: list[str] = []
        self._tools = ToolCallAssembler()
        self._citations: list[Citation] = []
        self._finish: str | None = None
        self._usage: Mapping[str, Any] | None = None
        self.response_id: str | None = None
        self.done = False

    def on_event(self, event: SSEEvent) -> list[StreamEvent]:
        if event.data == "[DONE]":
            self.done = True
            return []
        data = event_object(event.data, self.info)
        kind = data.get("type") or event.event
        message = (data.get("delta") or {}).get("message") or {}
        out: list[StreamEvent] = []
        if kind in ("content-start", "content-delta"):
            content = message.get("content") or {}
            if content.get("thinking"):
                self._reasoning.append(content["thinking"])
                out.append(ReasoningDelta(content["thinking"]))
            elif content.get("text"):
                self._text.append(content["text"])
                out.append(TextDelta(content["text"]))
        elif kind == "tool-plan-delta":
            plan = message.get("tool_plan") or ""
            if plan:
                self._plan.append(plan)
                out.append(ReasoningDelta(plan))
        elif kind in ("tool-call-start", "tool-call-delta"):
            call = message.get("tool_calls") or {}
            fn = call.get("function") or {}
            out.append(self._tools.feed(data.get("index"), call.get("id"), fn.get("name"), fn.get("arguments")))
        elif kind == "citation-start":
            found = message.get("citations")
            if isinstance(found, Mapping):
                self._citations.append(_citation(found))
        elif kind == "message-start":
            self.response_id = data.get("id")
        elif kind == "message-end":
            delta = data.get("delta") or {}
            if delta.get("error"):
                raise self.on_error({"message": delta["error"], "finish_reason": delta.get("finish_reason")})
            self._finish = delta.get("finish_reason")
            self._usage = delta.get("usage")
            self.response_id = self.response_id or data.get("id")
            self.done = True
        elif event.event == "error" or kind == "error":
            raise self.on_error(data)
        if out:
            self.info.mark_first_token()
        return out

    def flush(self) -> list[StreamEvent]:
        return []

    @property
    def finished(self) -> bool:
        return self.done

    def completion(self) -> Completion:
        host = self.info.host
        parts: list[Part] = []
        if self._plan:
            parts.append(_reasoning("".join(self._plan), host, plan=True))
        if self._reasoning:
            parts.append(_reasoning("".join(self._reasoning), host))
        if self._text:
            parts.append(construct(TextPart, type="text", text="".join(self._text), signature=None))
        parts.extend(self._tools.calls())
        done = finish_completion(
            self.info, parts, finish_reason=_finish(self._finish, bool(self._tools)),
            native_finish_reason=self._finish, usage=parse_usage(self._usage), response_id=self.response_id,
        )
        return done.model_copy(update={"citations": tuple(self._citations)}) if self._citations else done
