"""The OpenAI Responses dialect (``POST /responses``), as DeepSeek serves it.

Input is a list of items (messages, ``reasoning`` items, ``function_call`` / ``function_call_output``);
output is a list of items of the same kinds. Streams are named SSE events (``response.output_text.delta``,
``response.reasoning_text.delta``, ``response.function_call_arguments.delta``, ``response.completed``). The
final ``response.completed`` event carries the whole response, which is decoded the same way as a
non-streamed answer so both paths give the same Completion.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ...shared.errors import HostError, ProtocolError, UnsupportedFeature
from ...shared.request import Request
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

__all__ = ["ResponsesStream", "decode_response", "encode_body", "parse_usage"]

_SAMPLING = {"temperature": "temperature", "top_p": "top_p", "max_tokens": "max_output_tokens"}


def _reasoning_text_item(part: ReasoningPart) -> dict[str, Any] | None:
    """A reasoning part as DeepSeek takes it back: its text, as a ``reasoning_text`` item."""
    if not part.text:
        return None
    return {"type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": part.text}]}


def encode_body(request: Request, model_id: str, *, host: str,
                reasoning_item: Callable[[ReasoningPart], dict[str, Any] | None] = _reasoning_text_item,
                ) -> dict[str, Any]:
    """The Responses body. ``reasoning_item`` spells an assistant turn's reasoning part as an input item (None
    leaves it out): hosts differ in what they take back (DeepSeek the text; OpenAI and Azure the encrypted
    item the answer carried)."""
    instructions: list[str] = []
    items: list[dict[str, Any]] = []
    for message in request.messages:
        if message.role == "system":
            instructions.append(message.text)
        elif message.role == "user":
            items.append({"role": "user", "content": message.text})
        elif message.role == "assistant":
            for part in message.parts:
                if isinstance(part, ReasoningPart):
                    item = reasoning_item(part)
                    if item is not None:
                        items.append(item)
                elif isinstance(part, TextPart):
                    if part.text:
                        items.append({"role": "assistant", "content": part.text})
                elif isinstance(part, ToolCall):
                    items.append({
                        "type": "function_call", "call_id": part.id or f"call_{part.name}", "name": part.name,
                        "arguments": part.raw_arguments or json.dumps(part.arguments, ensure_ascii=False),
                    })
        else:
            for part in message.parts:
                assert isinstance(part, ToolResult)
                items.append({"type": "function_call_output", "call_id": part.call_id or f"call_{part.name}",
                              "output": part.content})
    body: dict[str, Any] = {"model": model_id, "input": items}
    if instructions:
        body["instructions"] = "\n\n".join(instructions)
    for name, value in request.sampling.items():
        wire = _SAMPLING.get(name)
        if wire is None:
            raise UnsupportedFeature(f"{host} (Responses API) does not accept the sampling setting {name!r}",
                                     host=host)
        body[wire] = value
    if request.tools:
        body["tools"] = [
            {"type": "function", "name": t.name, "description": t.description, "parameters": t.parameters,
             **({"strict": t.strict} if t.strict is not None else {})}
            for t in request.tools
        ]
    if request.tool_choice is not None:
        choice = request.tool_choice
        body["tool_choice"] = choice if choice in ("auto", "none", "required") else {"type": "function",
                                                                                      "name": choice}
    body["stream"] = request.stream
    return body


def parse_usage(u: Mapping[str, Any] | None) -> Usage | None:
    if not u:
        return None
    out_d = u.get("output_tokens_details") or {}
    in_d = u.get("input_tokens_details") or {}
    return construct(Usage,
        input_tokens=int(u.get("input_tokens") or 0),
        output_tokens=int(u.get("output_tokens") or 0),
        reasoning_tokens=out_d.get("reasoning_tokens"),
        cached_input_tokens=in_d.get("cached_tokens"),
        cache_write_tokens=None,
    )


def _item_parts(item: Mapping[str, Any], host: str) -> list[Part]:
    kind = item.get("type")
    if kind == "reasoning":
        texts = [c.get("text", "") for c in item.get("content") or () if isinstance(c, Mapping)]
        texts += [s.get("text", "") for s in item.get("summary") or () if isinstance(s, Mapping)]
        encrypted = item.get("encrypted_content")
        # an encrypted item goes back whole (id, summary, encrypted_content) on the next turn of a stateless
        # conversation: it is kept verbatim, and only the host that produced it reads it
        return [construct(ReasoningPart, type="reasoning", text="".join(texts), signature=None,
                          redacted=encrypted, source=host, details=(dict(item),) if encrypted else None)]
    if kind == "message":
        text = "".join(c.get("text", "") for c in item.get("content") or ()
                       if isinstance(c, Mapping) and c.get("type") in ("output_text", "text"))
        return [construct(TextPart, type="text", text=text, signature=None)] if text else []
    if kind == "function_call":
        raw = item.get("arguments")
        return [construct(ToolCall, type="tool_call", id=item.get("call_id"), name=item.get("name") or "",
                                         arguments=parse_arguments(raw), raw_arguments=raw, signature=None)]
    return []


def _finish(response: Mapping[str, Any], has_calls: bool) -> tuple[FinishReason, str | None]:
    status = response.get("status")
    if status == "incomplete":
        reason = (response.get("incomplete_details") or {}).get("reason")
        return ("content_filter" if reason == "content_filter" else "length"), reason
    if status == "failed":
        return "error", status
    return ("tool_calls" if has_calls else "stop"), status


def decode_response(response: Mapping[str, Any], info: CallInfo) -> Completion:
    output = response.get("output")
    if not isinstance(output, list):
        raise ProtocolError(f"{info.host} answered without output items", host=info.host,
                            request_id=info.request_id)
    parts: list[Part] = []
    for item in output:
        if isinstance(item, Mapping):
            parts.extend(_item_parts(item, info.host))
    reason, native = _finish(response, any(isinstance(p, ToolCall) for p in parts))
    return finish_completion(
        info, parts, finish_reason=reason, native_finish_reason=native, usage=parse_usage(response.get("usage")),
        served_model=response.get("model"), response_id=response.get("id"), raw=dict(response),
    )


class ResponsesStream:
    """Named Responses events in, neutral events out; the final Completion comes from ``response.completed``."""

    __slots__ = ("_final", "_item_calls", "_tools", "info", "on_error")

    def __init__(self, info: CallInfo, on_error: Callable[[Mapping[str, Any]], HostError]) -> None:
        self.info = info
        self.on_error = on_error
        self._tools = ToolCallAssembler()
        self._item_calls: dict[str, int] = {}
        self._final: Mapping[str, Any] | None = None

    def on_event(self, event: SSEEvent) -> list[StreamEvent]:
        data = event_object(event.data, self.info)
        kind = data.get("type") or event.event
        out: list[StreamEvent] = []
        if kind == "response.output_text.delta":
            delta = data.get("delta") or ""
            if delta:
                out.append(TextDelta(delta))
        elif kind in ("response.reasoning_text.delta", "response.reasoning_summary_text.delta"):
            delta = data.get("delta") or ""
            if delta:
                out.append(ReasoningDelta(delta))
        elif kind == "response.output_item.added":
            item = data.get("item") or {}
            if item.get("type") == "function_call":
                ev = self._tools.feed(data.get("output_index"), item.get("call_id"), item.get("name"),
                                      item.get("arguments") or None)
                self._item_calls[str(item.get("id"))] = data.get("output_index", ev.index)
                out.append(ev)
        elif kind == "response.function_call_arguments.delta":
            index = self._item_calls.get(str(data.get("item_id")), data.get("output_index"))
            out.append(self._tools.feed(index, None, None, data.get("delta") or ""))
        elif kind in ("response.completed", "response.incomplete", "response.failed"):
            self._final = data.get("response") or {}
            if kind == "response.failed":
                raise self.on_error({"error": (self._final or {}).get("error") or {"message": "response failed"}})
        elif kind == "error" or event.event == "error":
            raise self.on_error(data if "error" in data else {"error": data})
        if out:
            self.info.mark_first_token()
        return out

    def flush(self) -> list[StreamEvent]:
        return []

    @property
    def finished(self) -> bool:
        return self._final is not None

    @property
    def final(self) -> Mapping[str, Any]:
        """The whole response the closing event carried (empty before it came): a host reads its extras here."""
        return self._final or {}

    def completion(self) -> Completion:
        assert self._final is not None
        return decode_response(self._final, self.info)
