"""Pieces every dialect codec shares: the call's context, tool-call assembly, and the final Completion."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...shared.chat.events import ToolCallDelta
from ...shared.chat.plain import FinishReason, construct
from ...shared.errors import ContentBlocked, ProtocolError
from ...shared.lazy import lazy_module
from ...shared.request import ReasoningTags

if TYPE_CHECKING:
    from ...shared.chat import completion as _completion
    from ...shared.chat import messages as _messages
    from ...shared.types import Completion, Part, ToolCall, Usage
else:  # the answer's types are pydantic models: loaded by the first answer, so that importing a dialect loads no
    # pydantic model machinery (issue 18: import time)
    _completion = lazy_module("rehost.shared.chat.completion")
    _messages = lazy_module("rehost.shared.chat.messages")

__all__ = ["CallInfo", "ToolCallAssembler", "event_json", "event_object", "finish_completion", "not_an_object",
           "parse_arguments"]

_DECODER = json.JSONDecoder()
#: ``json.loads`` without its per-call argument checks (a stream decodes one JSON object per event)
_decode_json = _DECODER.decode
#: the C scanner under ``decode``: one value from a position, without decode's two whitespace matches and its two
#: Python frames (a third of the cost of parsing a short stream event, measured)
_scan_json: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


@dataclass(slots=True)
class CallInfo:
    """What a decoder needs to know about the call it decodes (never the request body itself)."""

    host: str
    model: str
    host_model_id: str
    tags: ReasoningTags | None = None
    include_reasoning: bool = True
    started_at: float = field(default_factory=time.time)
    t0: float = field(default_factory=time.perf_counter)
    time_to_first_byte: float | None = None
    time_to_first_token: float | None = None
    sent_at: float | None = None
    request_id: str | None = None

    def mark_first_token(self) -> None:
        if self.time_to_first_token is None:
            self.time_to_first_token = time.perf_counter() - self.t0


def event_json(data: str, info: CallInfo, unit: str = "event") -> Any:
    """A stream event's JSON payload, for every dialect: text that is not JSON is a ProtocolError naming the host
    and the request. ``unit`` is what the framing calls one piece (an NDJSON "line", an event-stream "message")."""
    try:
        try:
            value, end = _scan_json(data, 0)
        except StopIteration:  # no value right at the start (white space first, or not JSON): decode says which
            return _decode_json(data)
        if end != len(data):  # white space or more after the value: decode accepts the one, refuses the other
            return _decode_json(data)
        return value
    except ValueError as exc:
        raise ProtocolError(f"{info.host} sent a stream {unit} that is not JSON: {data[:200]!r}",
                            host=info.host, request_id=info.request_id) from exc


def not_an_object(info: CallInfo, unit: str = "event") -> ProtocolError:
    return ProtocolError(f"{info.host} sent a stream {unit} that is not an object", host=info.host,
                         request_id=info.request_id)


def event_object(data: str, info: CallInfo, unit: str = "event") -> dict[str, Any]:
    """``event_json`` for the dialects whose every event is a JSON object."""
    value = event_json(data, info, unit)
    if not isinstance(value, dict):
        raise not_an_object(info, unit)
    return value


def parse_arguments(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    """Tool-call arguments as a dict; text that is not a JSON object gives ``{}`` (the raw text is kept)."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class ToolCallAssembler:
    """Assembles streamed tool-call fragments into calls.

    Hosts differ: OpenAI-style hosts send an index and argument fragments; some send each whole call with
    the same index, or no index at all. A fragment with a new id at an index that already holds another id
    starts a new call; a fragment with neither index, id nor name continues the last call.
    """

    __slots__ = ("_by_index", "_slots")

    def __init__(self) -> None:
        self._slots: list[dict[str, Any]] = []
        self._by_index: dict[int, int] = {}

    def __bool__(self) -> bool:
        return bool(self._slots)

    def feed(self, index: int | None, call_id: str | None, name: str | None, arguments: str | None,
             signature: str | None = None) -> ToolCallDelta:
        pos: int | None
        if index is not None:
            pos = self._by_index.get(index)
        elif call_id is None and name is None and self._slots:
            pos = len(self._slots) - 1
        else:
            pos = None
        slot = self._slots[pos] if pos is not None else None
        if slot is not None and call_id and slot["id"] and slot["id"] != call_id:
            slot = None
        if slot is None:
            pos = len(self._slots)
            slot = {"id": call_id, "name": name or "", "args": [], "signature": signature}
            self._slots.append(slot)
            if index is not None:
                self._by_index[index] = pos
        else:
            if call_id and not slot["id"]:
                slot["id"] = call_id
            if name and not slot["name"]:
                slot["name"] = name
            if signature:
                slot["signature"] = signature
        if arguments:
            slot["args"].append(arguments)
        assert pos is not None
        return ToolCallDelta(index=pos, id=call_id, name=name, arguments=arguments or "")

    def calls(self) -> list[ToolCall]:
        out = []
        for slot in self._slots:
            raw = "".join(slot["args"])
            out.append(construct(_messages.ToolCall,
                type="tool_call", id=slot["id"], name=slot["name"], arguments=parse_arguments(raw),
                raw_arguments=raw, signature=slot["signature"],
            ))
        return out


def finish_completion(
    info: CallInfo,
    parts: list[Part],
    *,
    finish_reason: FinishReason,
    native_finish_reason: str | None,
    usage: Usage | None,
    finish_message: str | None = None,
    served_model: str | None = None,
    response_id: str | None = None,
    host_timing: dict[str, float] | None = None,
    host_cost: float | None = None,
    raw: Any = None,
) -> Completion:
    """Build the one Completion of a call, applying the rules every dialect shares.

    A content-filter stop that produced nothing is a refusal, raised as ContentBlocked rather than returned
    as an empty answer. Reasoning the caller asked not to see is dropped here when the host had no way to
    leave it out.
    """
    reasoning = _messages.ReasoningPart
    if not info.include_reasoning:
        parts = [p for p in parts if not isinstance(p, reasoning)]
    if finish_reason == "content_filter" and not any(
        (getattr(p, "text", "") or isinstance(p, _messages.ToolCall)) for p in parts if not isinstance(p, reasoning)
    ):
        detail = f": {finish_message}" if finish_message else ""
        raise ContentBlocked(
            f"the host blocked the answer (finish reason {native_finish_reason or finish_reason}{detail})",
            host=info.host, request_id=info.request_id, code=native_finish_reason,
        )
    elapsed = time.perf_counter() - info.t0
    return construct(_completion.Completion,
        parts=tuple(parts),
        finish_reason=finish_reason,
        native_finish_reason=native_finish_reason,
        finish_message=finish_message,
        usage=usage,
        host=info.host,
        model=info.model,
        host_model_id=info.host_model_id,
        served_model=served_model,
        response_id=response_id,
        request_id=info.request_id,
        timing=construct(_completion.Timing,
            started_at=info.started_at, time_to_first_byte=info.time_to_first_byte,
            time_to_first_token=info.time_to_first_token, total=elapsed,
            request_sent=None if info.sent_at is None else info.sent_at - info.t0,
        ),
        host_timing=host_timing,
        host_cost=host_cost,
        raw=raw,
    )
