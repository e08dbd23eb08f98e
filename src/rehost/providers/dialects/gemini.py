"""The Gemini ``generateContent`` dialect, as spoken by Google AI Studio and Vertex AI.

Roles are ``user`` and ``model``; a turn is a list of parts (``text``, ``thought: true`` summaries,
``functionCall`` / ``functionResponse``), and opaque ``thoughtSignature`` tokens ride on parts. Signed parts
are kept exactly as received and never merged with others, because Gemini 3 validates them when they come
back. Streams (``:streamGenerateContent?alt=sse``) repeat the same response shape per event and end without
a sentinel: the last event carries ``finishReason`` and the final usage.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ...shared.errors import (
    AuthenticationError,
    ContentBlocked,
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
from ...shared.request import Request, ThinkingPlan
from ...shared.schema import RecursiveSchema, for_gemini, strip_titles
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
from .common import CallInfo, event_json, finish_completion, not_an_object

__all__ = [
    "BLOCKED",
    "GeminiStream",
    "decode_response",
    "encode_body",
    "error_from_body",
    "finish_reason",
    "parse_usage",
    "thinking_config",
]

_SAMPLING = {
    "temperature": "temperature",
    "top_p": "topP",
    "top_k": "topK",
    "max_tokens": "maxOutputTokens",
    "stop": "stopSequences",
    "seed": "seed",
    "presence_penalty": "presencePenalty",
    "frequency_penalty": "frequencyPenalty",
}

_LEVELS = frozenset({"minimal", "low", "medium", "high"})

#: finish reasons that mean the host blocked the answer: the candidate's content was withheld, or cut short,
#: for a policy reason (google-genai ``FinishReason``; Vertex ``Candidate.FinishReason`` adds MODEL_ARMOR and the
#: IMAGE_* blocks; JAILBREAK is a prompt block reason, listed in case it is sent as a finish). LANGUAGE ("the
#: candidate content was flagged for using an unsupported language") withholds the answer too. Every one of
#: them raises ContentBlocked, as a blocked prompt (``promptFeedback.blockReason``) does.
BLOCKED = frozenset({
    "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "MODEL_ARMOR", "LANGUAGE", "JAILBREAK",
    "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION",
})

_FINISH: dict[str, FinishReason] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    **dict.fromkeys(BLOCKED, "content_filter"),
    "MALFORMED_FUNCTION_CALL": "error",
    "UNEXPECTED_TOOL_CALL": "error",
    "TOO_MANY_TOOL_CALLS": "error",
    "MALFORMED_RESPONSE": "error",
    "MISSING_THOUGHT_SIGNATURE": "error",
    # OTHER, FINISH_REASON_UNSPECIFIED, IMAGE_OTHER, NO_IMAGE: "other"
}


def finish_reason(raw: str | None, *, has_tool_calls: bool) -> FinishReason:
    if raw is None or raw == "STOP":
        return "tool_calls" if has_tool_calls else "stop"
    return _FINISH.get(raw, "other")


# ------------------------------------------------------------------------------------------------ encoding


def thinking_config(plan: ThinkingPlan, *, host: str) -> dict[str, Any]:
    """``generationConfig.thinkingConfig`` for a plan: a budget, a level (Gemini 3), or off (budget 0)."""
    config: dict[str, Any] = {}
    if not plan.enabled:
        return {"thinkingBudget": 0}
    if plan.budget is not None:
        config["thinkingBudget"] = plan.budget
    elif plan.effort is not None:
        if plan.effort not in _LEVELS:
            raise UnsupportedFeature(f"{host}: Gemini thinking levels are minimal|low|medium|high, not "
                                     f"{plan.effort!r}", host=host)
        config["thinkingLevel"] = plan.effort.upper()
    if plan.include_reasoning:
        config["includeThoughts"] = True
    return config


def _function_response(part: ToolResult, host: str) -> dict[str, Any]:
    try:
        value = json.loads(part.content)
    except ValueError:
        value = part.content
    response = value if isinstance(value, dict) else {"error" if part.is_error else "result": value}
    fr: dict[str, Any] = {"name": part.name, "response": response}
    if part.call_id:
        fr["id"] = part.call_id
    if part.parts:  # Gemini 3 takes images and documents returned by a tool
        fr["parts"] = [_media(p, host) for p in part.parts]
    return {"functionResponse": fr}


def _assistant_parts(message: Message, host: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in message.parts:
        wire: dict[str, Any]
        if isinstance(part, ReasoningPart):
            if part.source != host or not (part.text or part.signature):
                continue  # thoughts from another host are not Gemini thoughts
            wire = {"text": part.text, "thought": True}
        elif isinstance(part, TextPart):
            wire = {"text": part.text}
        elif isinstance(part, ToolCall):
            call: dict[str, Any] = {"name": part.name, "args": part.arguments}
            if part.id:
                call["id"] = part.id
            wire = {"functionCall": call}
        else:
            continue
        if part.signature:
            wire["thoughtSignature"] = part.signature
        out.append(wire)
    return out


def _media(part: ImagePart | DocumentPart, host: str) -> dict[str, Any]:
    if part.media_type is None:
        raise UnsupportedFeature(f"{host}: say the media type of this {part.type} (media_type=...)", host=host)
    if part.data is not None:
        return {"inlineData": {"mimeType": part.media_type, "data": part.base64}}
    return {"fileData": {"mimeType": part.media_type, "fileUri": part.url}}


def gemini_schema(schema: dict[str, Any], *, host: str, keep_title: bool = False) -> dict[str, Any]:
    try:
        return for_gemini(strip_titles(schema, keep_root=keep_title))
    except RecursiveSchema as exc:
        raise UnsupportedFeature(f"{host}: Gemini cannot take a self-referring schema ({exc})", host=host) from None


def encode_contents(messages: tuple[Message, ...], *, host: str) -> tuple[list[dict[str, Any]], list[str]]:
    """(contents, system texts). Consecutive tool results share one ``user`` turn, as Gemini expects."""
    contents: list[dict[str, Any]] = []
    system: list[str] = []
    for message in messages:
        if message.role == "system":
            system.append(message.text)
        elif message.role == "user":
            contents.append({"role": "user", "parts": [
                {"text": p.text} if isinstance(p, TextPart) else _media(p, host)  # type: ignore[arg-type]
                for p in message.parts]})
        elif message.role == "assistant":
            parts = _assistant_parts(message, host)
            if parts:
                contents.append({"role": "model", "parts": parts})
        else:
            parts = [_function_response(p, host) for p in message.parts if isinstance(p, ToolResult)]
            last = contents[-1] if contents else None
            if last is not None and last["role"] == "user" and all("functionResponse" in p for p in last["parts"]):
                last["parts"].extend(parts)
            else:
                contents.append({"role": "user", "parts": parts})
    return contents, system


def encode_body(request: Request, *, host: str) -> dict[str, Any]:
    contents, system = encode_contents(request.messages, host=host)
    body: dict[str, Any] = {"contents": contents}
    if system:
        body["systemInstruction"] = {"parts": [{"text": "\n\n".join(system)}]}
    config: dict[str, Any] = {}
    for name, value in request.sampling.items():
        config[_SAMPLING[name]] = list(value) if name == "stop" else value
    if request.thinking is not None:
        thinking = thinking_config(request.thinking, host=host)
        if thinking:
            config["thinkingConfig"] = thinking
    output = request.output
    if output is not None and request.output_mode in ("native", "json"):
        config["responseMimeType"] = "application/json"
        if request.output_mode == "native" and output.schema is not None:
            config["responseJsonSchema"] = gemini_schema(output.schema, host=host, keep_title=True)
    if config:
        body["generationConfig"] = config
    tools: list[dict[str, Any]] = [{"googleSearch": {}} for t in request.builtin_tools if t.type == "web_search"]
    if request.tools:
        tools.append({"functionDeclarations": [
            {"name": t.name, "description": t.description,
             "parametersJsonSchema": gemini_schema(t.parameters, host=host)}
            for t in request.tools
        ]})
    if tools:
        body["tools"] = tools
    if request.tool_choice is not None:
        if not request.tools and request.tool_choice != "none":
            raise UnsupportedFeature("tool_choice was given without any tools", host=host)
        mode = {"auto": "AUTO", "none": "NONE", "required": "ANY"}.get(request.tool_choice)
        fcc: dict[str, Any] = {"mode": mode or "ANY"}
        if mode is None:
            fcc["allowedFunctionNames"] = [request.tool_choice]
        body["toolConfig"] = {"functionCallingConfig": fcc}
    return body


# ------------------------------------------------------------------------------------------------ decoding


def parse_usage(um: Mapping[str, Any] | None) -> Usage | None:
    """Gemini counts thoughts apart from the answer; both are output (and billed as output)."""
    if not um:
        return None
    thoughts = um.get("thoughtsTokenCount")
    return construct(Usage,
        input_tokens=int(um.get("promptTokenCount") or 0) + int(um.get("toolUsePromptTokenCount") or 0),
        output_tokens=int(um.get("candidatesTokenCount") or 0) + int(thoughts or 0),
        reasoning_tokens=thoughts,
        cached_input_tokens=um.get("cachedContentTokenCount"),
        cache_write_tokens=None,
    )


def _content_parts(cand: Mapping[str, Any], info: CallInfo) -> list[Any]:
    """A candidate's ``content.parts`` (none when absent); a content that is not an object is a protocol error."""
    content = cand.get("content") or {}
    is_map = type(content) is dict or isinstance(content, Mapping)  # a dict first: the ABC's check is slower
    parts = content.get("parts") if is_map else None
    if not is_map or not isinstance(parts, list | None) or \
            not all(type(p) is dict or isinstance(p, Mapping) for p in parts or ()):
        raise ProtocolError(f"{info.host} sent a candidate whose content is not an object with a list of parts",
                            host=info.host, request_id=info.request_id)
    return parts or []


def _wire_part(p: Mapping[str, Any], host: str) -> Part | None:
    signature = p.get("thoughtSignature")
    fc = p.get("functionCall")
    if fc is not None:
        args = fc.get("args") or {}
        return construct(ToolCall, type="tool_call", id=fc.get("id"), name=fc.get("name") or "",
                                        arguments=args, raw_arguments=json.dumps(args, ensure_ascii=False),
                                        signature=signature)
    if p.get("thought"):
        return construct(ReasoningPart, type="reasoning", text=p.get("text") or "", signature=signature,
                                             redacted=None, source=host, details=None)
    if "text" in p:
        return construct(TextPart, type="text", text=p.get("text") or "", signature=signature)
    return None


def _blocked(body: Mapping[str, Any], info: CallInfo) -> ContentBlocked | None:
    feedback = body.get("promptFeedback")
    if isinstance(feedback, Mapping) and feedback.get("blockReason"):
        reason = str(feedback["blockReason"])
        detail = f": {feedback['blockReasonMessage']}" if feedback.get("blockReasonMessage") else ""
        return ContentBlocked(f"the prompt was blocked ({reason}{detail})", host=info.host, code=reason,
                              request_id=info.request_id)
    return None


def _answer_blocked(reason: str, message: str | None, parts: list[Part], info: CallInfo) -> ContentBlocked:
    """The error for a candidate that ended in a block, whether it wrote nothing or was cut short: the same
    streamed and not (a stream has delivered the text before the block already; ``text`` keeps it)."""
    text = "".join(p.text for p in parts if isinstance(p, TextPart))
    detail = f": {message}" if message else ""
    cut = " after it had begun" if text else ""
    error = ContentBlocked(f"the host blocked the answer{cut} (finish reason {reason}{detail})", host=info.host,
                           code=reason, request_id=info.request_id)
    error.text = text
    return error


def decode_response(body: Mapping[str, Any], info: CallInfo) -> Completion:
    candidates = body.get("candidates")
    if not candidates:
        blocked = _blocked(body, info)
        if blocked is not None:
            raise blocked
        raise ProtocolError(f"{info.host} answered without candidates", host=info.host,
                            request_id=info.request_id, body=json.dumps(body)[:500])
    cand = candidates[0]
    parts: list[Part] = []
    for p in _content_parts(cand, info):
        part = _wire_part(p, info.host)
        if part is not None:
            parts.append(part)
    raw_finish = cand.get("finishReason")
    message = cand.get("finishMessage")
    if raw_finish in BLOCKED:
        raise _answer_blocked(raw_finish, message, parts, info)
    return finish_completion(
        info, parts,
        finish_reason=finish_reason(raw_finish, has_tool_calls=any(isinstance(p, ToolCall) for p in parts)),
        native_finish_reason=raw_finish,
        finish_message=message,
        usage=parse_usage(body.get("usageMetadata")),
        served_model=body.get("modelVersion"),
        response_id=body.get("responseId"),
        raw=body,
    )


class GeminiStream:
    """SSE events of ``streamGenerateContent`` in, neutral events out.

    Text and thoughts arrive cut into many events; they are joined into one part per run of the same kind,
    and a run ends where a signature arrives, so signed parts stay whole and separate.
    """

    __slots__ = ("_finish", "_finish_message", "_open", "_parts", "_tool_index", "info", "on_error",
                 "response_id", "served_model", "usage_raw")

    def __init__(self, info: CallInfo, on_error: Callable[[Mapping[str, Any]], HostError]) -> None:
        self.info = info
        self.on_error = on_error
        self._parts: list[Part] = []
        self._open: list[str] | None = None  # text pieces of the run being built (last entry of _parts)
        self._finish: str | None = None
        self._finish_message: str | None = None
        self._tool_index = 0
        self.usage_raw: Mapping[str, Any] | None = None
        self.response_id: str | None = None
        self.served_model: str | None = None

    def on_event(self, event: SSEEvent) -> list[StreamEvent]:
        body = event_json(event.data, self.info)
        if isinstance(body, list) and body:
            body = body[0]
        if not isinstance(body, dict):
            raise not_an_object(self.info)
        if body.get("error"):
            raise self.on_error(body)
        if self.response_id is None:
            self.response_id = body.get("responseId")
            self.served_model = body.get("modelVersion")
        usage = body.get("usageMetadata")
        if usage:
            self.usage_raw = usage
        candidates = body.get("candidates")
        if not candidates:
            blocked = _blocked(body, self.info)
            if blocked is not None:
                raise blocked
            return []
        cand = candidates[0] if isinstance(candidates, list) else None
        if type(cand) is not dict and not isinstance(cand, Mapping):
            raise ProtocolError(f"{self.info.host} sent a stream event with a malformed candidate",
                                host=self.info.host, request_id=self.info.request_id)
        out: list[StreamEvent]
        content = cand.get("content")
        parts = content.get("parts") if type(content) is dict else None
        if (type(parts) is list and len(parts) == 1 and type(p := parts[0]) is dict and len(p) == 1
                and type(text := p.get("text")) is str and text and self._open is not None
                and self._parts[-1].type == "text"):
            # the usual event, one more piece of the text run being built: what _on_part does with it, without
            # its calls and checks (the streaming hot path; any other part, or a new run, takes _on_part)
            self._open.append(text)
            out = [TextDelta(text)]
        else:
            out = []
            for p in _content_parts(cand, self.info):
                self._on_part(p, out)
        if cand.get("finishReason"):
            self._finish = cand["finishReason"]
            self._finish_message = cand.get("finishMessage")
        if out and self.info.time_to_first_token is None:
            self.info.mark_first_token()
        return out

    def _on_part(self, p: Mapping[str, Any], out: list[StreamEvent]) -> None:
        signature = p.get("thoughtSignature")
        fc = p.get("functionCall")
        if fc is not None:
            self._close()
            part = _wire_part(p, self.info.host)
            assert isinstance(part, ToolCall)
            self._parts.append(part)
            out.append(ToolCallDelta(index=self._tool_index, id=part.id, name=part.name,
                                     arguments=part.raw_arguments or ""))
            self._tool_index += 1
            return
        if "text" not in p:
            if signature:
                self._sign(signature)
            return
        text = p.get("text") or ""
        thought = bool(p.get("thought"))
        kind = "reasoning" if thought else "text"
        if text:
            out.append(ReasoningDelta(text) if thought else TextDelta(text))
        last = self._parts[-1] if self._parts else None
        if self._open is not None and last is not None and last.type == kind:
            self._open.append(text)
        elif text or signature:
            self._close()
            self._open = [text]
            self._parts.append(construct(ReasoningPart, type="reasoning", text="", signature=None,
                                                             redacted=None, source=self.info.host, details=None)
                               if thought else construct(TextPart, type="text", text="", signature=None))
        if signature:
            self._sign(signature)

    def _sign(self, signature: str) -> None:
        """A signature closes the run it belongs to (the last one)."""
        if not self._parts:
            self._parts.append(construct(TextPart, type="text", text="", signature=None))
            self._open = []
        last = self._parts[-1]
        if self._open is not None:
            self._close()
            last = self._parts[-1]
        self._parts[-1] = last.model_copy(update={"signature": signature})

    def _close(self) -> None:
        if self._open is None:
            return
        last = self._parts[-1]
        self._parts[-1] = last.model_copy(update={"text": "".join(self._open)})
        self._open = None

    def flush(self) -> list[StreamEvent]:
        self._close()
        return []

    @property
    def finished(self) -> bool:
        return self._finish is not None

    def completion(self) -> Completion:
        self._close()
        if self._finish in BLOCKED:
            raise _answer_blocked(self._finish, self._finish_message, self._parts, self.info)
        has_calls = any(isinstance(p, ToolCall) for p in self._parts)
        return finish_completion(
            self.info, list(self._parts),
            finish_reason=finish_reason(self._finish, has_tool_calls=has_calls),
            native_finish_reason=self._finish, finish_message=self._finish_message,
            usage=parse_usage(self.usage_raw),
            served_model=self.served_model, response_id=self.response_id,
        )


# ------------------------------------------------------------------------------------------------ errors

_STATUS_NAMES: dict[str, type[HostError]] = {
    "INVALID_ARGUMENT": InvalidRequest,
    "FAILED_PRECONDITION": InvalidRequest,
    "OUT_OF_RANGE": InvalidRequest,
    "UNAUTHENTICATED": AuthenticationError,
    "PERMISSION_DENIED": PermissionDenied,
    "NOT_FOUND": NotFound,
    "RESOURCE_EXHAUSTED": RateLimited,
    "ABORTED": ServerError,
    "CANCELLED": ServerError,
    "INTERNAL": ServerError,
    "UNKNOWN": ServerError,
    "UNAVAILABLE": Overloaded,
    "DEADLINE_EXCEEDED": ServerError,
}


def _seconds(value: Any) -> float | None:
    if isinstance(value, str) and value.endswith("s"):
        try:
            return float(value[:-1])
        except ValueError:
            return None
    return None


def error_from_body(host: str, status: int, body: Any, fallback: Callable[[int], type[HostError]]) -> HostError:
    """The typed error for a Google ``{"error": {code, message, status, details}}`` body.

    The HTTP status decides the class; the body's status name only refines it to a subclass (a body that
    disagrees with its HTTP code, e.g. ``INTERNAL`` on a 400, must not make a caller's mistake look
    retryable). Only an error inside a 200 stream, where HTTP says nothing, is classed by the body alone.
    Google's documented reasons and messages refine further: a bad key is a 400 ``API_KEY_INVALID``, an
    oversize prompt a 400 whose message says the token count exceeds the limit."""
    if isinstance(body, list) and body:
        body = body[0]
    err = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(err, Mapping):
        text = body if isinstance(body, str) else json.dumps(body)
        return fallback(status)(f"{host} answered HTTP {status}: {text[:300]}", host=host, status=status,
                                body=text)
    message = str(err.get("message") or f"HTTP {status}")
    name = err.get("status")
    details = [d for d in err.get("details") or () if isinstance(d, Mapping)]
    reasons = {str(d.get("reason")) for d in details if d.get("reason")}
    named = _STATUS_NAMES.get(str(name))
    cls: type[HostError] = fallback(status)
    if named is not None and (status < 400 or issubclass(named, cls)):
        cls = named
    lowered = message.lower()
    if cls is InvalidRequest and ("token count" in lowered and "exceeds" in lowered):
        cls = ContextWindowExceeded
    elif "API_KEY_INVALID" in reasons or "api key not valid" in lowered:
        cls = AuthenticationError
    elif cls is NotFound and "model" in lowered:
        cls = ModelNotFound
    retry_after = None
    per_day = False
    for d in details:
        kind = str(d.get("@type", ""))
        if kind.endswith("RetryInfo"):
            retry_after = _seconds(d.get("retryDelay"))
        elif kind.endswith("QuotaFailure"):
            per_day = any("PerDay" in str(v.get("quotaId", "")) for v in d.get("violations") or ()
                          if isinstance(v, Mapping))
    error = cls(message, host=host, status=status, code=None if name is None else str(name),
                retry_after=retry_after, body=json.dumps(body, ensure_ascii=False))
    if per_day:
        error.retryable = False  # a daily quota will not come back within any retry window
    return error
