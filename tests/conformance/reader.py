"""A deliberately simple, independent reader of the recorded cassettes.

It turns a recorded request body into the arguments a rehost user would pass (messages, thinking, tools,
sampling), and reads from a recorded response what the library must decode (text, reasoning, tool calls,
finish reason, usage). It shares no code with the library's decoders: every rule here is written out plainly
from the documented wire shapes, so a decoder bug cannot hide behind the same bug in the test.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from rehost import Message, ReasoningPart, TextPart, Thinking, Tool, ToolCall, ToolResult
from rehost.shared.output import Output
from rehost.shared.types import DocumentPart, ImagePart, WebSearch

MISSING = "<absent>"
THINK_RE = re.compile(r"^\s*<think>\s*(.*?)\s*</think>\s*(.*)$", re.S)


class Inexpressible(Exception):
    """A recorded request uses something rehost cannot express yet (named, never silently dropped)."""


@dataclass
class Call:
    model: str
    messages: list[Message]
    stream: bool
    thinking: Thinking | None = None
    tools: list[Any] = field(default_factory=list)
    tool_choice: str | None = None
    sampling: dict[str, Any] = field(default_factory=dict)
    output: Output | None = None
    output_mode: str = "auto"
    inexpressible: list[str] = field(default_factory=list)


@dataclass
class Expected:
    text: str = ""
    reasoning: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    finish: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None
    response_id: str | None = None


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(w.title() for w in rest)


def camelize(value: Any) -> Any:
    if isinstance(value, dict):
        return {_camel(k): camelize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camelize(v) for v in value]
    return value


def split_think(text: str) -> tuple[str, str]:
    m = THINK_RE.match(text or "")
    return (m.group(1), m.group(2)) if m else ("", text or "")


# ------------------------------------------------------------------------------------------ requests


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "".join(c.get("text", "") for c in content if isinstance(c, dict) and c.get("type") == "text")


def _thinking_openai(body: dict[str, Any]) -> Thinking | None:
    if "reasoning" in body and isinstance(body["reasoning"], dict):
        r = body["reasoning"]
        if r.get("effort") == "none":
            return Thinking(enabled=False)
        if "effort" in r:
            return Thinking(effort=r["effort"], include=not r.get("exclude", False))
        if "max_tokens" in r:
            return Thinking(budget=r["max_tokens"], include=not r.get("exclude", False))
        return Thinking(enabled=r.get("enabled", True), include=not r.get("exclude", False))
    if isinstance(body.get("thinking"), dict):
        on = body["thinking"].get("type") == "enabled"
        effort = body.get("reasoning_effort")
        return Thinking(enabled=on, effort=effort if on else None)
    effort = body.get("reasoning_effort")
    if effort == "none":
        return Thinking(enabled=False)
    if effort is not None:
        return Thinking(effort=effort, include=body.get("reasoning_format") != "hidden")
    return None


def openai_call(body: dict[str, Any]) -> Call:
    messages: list[Message] = []
    names: dict[str, str] = {}
    missing_args: list[str] = []
    for m in body["messages"]:
        role = m["role"]
        if role in ("system", "user"):
            messages.append(Message(role=role, parts=(TextPart(text=_content_text(m.get("content"))),)))
        elif role == "assistant":
            parts: list[Any] = []
            text = _content_text(m.get("content"))  # as sent: a <think> block here is the caller's own text
            reasoning = m.get("reasoning_content") or m.get("reasoning")
            if reasoning:
                parts.append(ReasoningPart(text=reasoning))
            if text:
                parts.append(TextPart(text=text))
            for tc in m.get("tool_calls") or []:
                fn = tc["function"]
                raw = fn.get("arguments")
                names[tc["id"]] = fn["name"]
                if raw is None:
                    missing_args.append(fn["name"])
                parts.append(ToolCall(id=tc["id"], name=fn["name"],
                                      arguments=json.loads(raw) if raw else {}, raw_arguments=raw))
            messages.append(Message(role="assistant", parts=tuple(parts)))
        elif role == "tool":
            call_id = m["tool_call_id"]
            messages.append(Message(role="tool", parts=(ToolResult(call_id=call_id, name=names[call_id],
                                                                   content=m["content"]),)))
        else:
            raise Inexpressible(f"message role {role!r}")
    tools = [Tool(name=t["function"]["name"], description=t["function"].get("description", ""),
                  parameters=t["function"].get("parameters", {}), strict=t["function"].get("strict"))
             for t in body.get("tools") or []]
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        choice = choice["function"]["name"]
    sampling = {k: body[k] for k in ("temperature", "top_p", "seed") if k in body}
    if "stop" in body:
        sampling["stop"] = body["stop"]
    for key in ("max_tokens", "max_completion_tokens"):
        if key in body:
            sampling["max_tokens"] = body[key]
    call = Call(model=body["model"], messages=messages, stream=bool(body.get("stream")),
                thinking=_thinking_openai(body), tools=tools, tool_choice=choice, sampling=sampling)
    call.inexpressible.extend(f"an assistant tool call ({n}) sent without arguments" for n in missing_args)
    fmt = body.get("response_format")
    if fmt is not None:
        call.output_mode = "native"
        if fmt["type"] == "json_object":
            call.output = Output(schema=None, name="json")
        else:
            spec = fmt["json_schema"]
            call.output = Output(schema=spec["schema"], name=spec["name"], description=spec.get("description"),
                                 strict=spec.get("strict"))
    return call


def responses_call(body: dict[str, Any]) -> Call:
    messages: list[Message] = []
    pending: list[Any] = []
    names: dict[str, str] = {}

    def flush() -> None:
        if pending:
            messages.append(Message(role="assistant", parts=tuple(pending)))
            pending.clear()

    for item in body["input"]:
        kind = item.get("type")
        if item.get("role") == "user":
            flush()
            messages.append(Message.user(item["content"]))
        elif item.get("role") == "assistant":
            pending.append(TextPart(text=item["content"]))
        elif kind == "reasoning":
            pending.append(ReasoningPart(text="".join(c["text"] for c in item.get("content") or [])))
        elif kind == "function_call":
            names[item["call_id"]] = item["name"]
            pending.append(ToolCall(id=item["call_id"], name=item["name"], arguments=json.loads(item["arguments"]),
                                    raw_arguments=item["arguments"]))
        elif kind == "function_call_output":
            flush()
            messages.append(Message(role="tool", parts=(ToolResult(call_id=item["call_id"],
                                                                   name=names[item["call_id"]],
                                                                   content=item["output"]),)))
        else:
            raise Inexpressible(f"Responses input item {kind!r}")
    flush()
    tools = [Tool(name=t["name"], description=t.get("description", ""), parameters=t.get("parameters", {}),
                  strict=t.get("strict")) for t in body.get("tools") or []]
    return Call(model=body["model"], messages=messages, stream=bool(body.get("stream")), tools=tools,
                tool_choice=body.get("tool_choice"))


def gemini_call(url: str, body: dict[str, Any], host: str) -> Call:
    body = camelize(body)
    model = re.search(r"/models/([^/:]+):", url).group(1)  # type: ignore[union-attr]
    call = Call(model=model, messages=[], stream="streamGenerateContent" in url)
    if "systemInstruction" in body:
        call.messages.append(Message.system("".join(p["text"] for p in body["systemInstruction"]["parts"])))
    for content in body["contents"]:
        parts = content["parts"]
        if content["role"] == "user":
            results = [p["functionResponse"] for p in parts if "functionResponse" in p]
            if results:
                for fr in results:
                    media = [_media_part(p) for p in fr.get("parts") or []]
                    call.messages.append(Message(role="tool", parts=(ToolResult(
                        call_id=fr.get("id"), name=fr["name"], content=json.dumps(fr["response"]),
                        parts=tuple(media)),)))
            else:
                call.messages.append(Message(role="user", parts=tuple(TextPart(text=p["text"]) for p in parts)))
        else:
            out: list[Any] = []
            for p in parts:
                sig = p.get("thoughtSignature")
                if "functionCall" in p:
                    fc = p["functionCall"]
                    out.append(ToolCall(id=fc.get("id"), name=fc["name"], arguments=fc.get("args") or {},
                                        signature=sig))
                elif p.get("thought"):
                    out.append(ReasoningPart(text=p["text"], signature=sig, source=host))
                else:
                    out.append(TextPart(text=p["text"], signature=sig))
            call.messages.append(Message(role="assistant", parts=tuple(out)))
    config = body.get("generationConfig") or {}
    for wire, name in (("temperature", "temperature"), ("topP", "top_p"), ("maxOutputTokens", "max_tokens"),
                       ("stopSequences", "stop"), ("seed", "seed")):
        if wire in config:
            call.sampling[name] = config[wire]
    if "responseSchema" in config:
        call.inexpressible.append("structured output (responseSchema, the OpenAPI subset)")
    elif "responseMimeType" in config:
        schema = config.get("responseJsonSchema")
        call.output = Output(schema=schema, name=(schema or {}).get("title", "output"))
        call.output_mode = "native"
    tc = config.get("thinkingConfig")
    if tc is not None:
        include = bool(tc.get("includeThoughts"))
        if tc.get("thinkingBudget") == 0:
            call.thinking = Thinking(enabled=False)
        elif "thinkingBudget" in tc:
            call.thinking = Thinking(budget=tc["thinkingBudget"], include=include)
        elif "thinkingLevel" in tc:
            call.thinking = Thinking(effort=tc["thinkingLevel"].lower(), include=include)
        else:
            call.thinking = Thinking(include=include)
    tools = body.get("tools") or []
    for tool in [tools] if isinstance(tools, dict) else tools:
        if "functionDeclarations" in tool:
            for fd in tool["functionDeclarations"]:
                call.tools.append(Tool(name=fd["name"], description=fd.get("description", ""),
                                       parameters=fd.get("parametersJsonSchema") or _lower_types(fd.get("parameters"))
                                       or {"type": "object", "properties": {}}))
        elif list(tool) == ["googleSearch"]:
            call.tools.append(WebSearch())
        else:
            call.inexpressible.extend(f"Gemini built-in tool {k}" for k in tool)
    fcc = (body.get("toolConfig") or {}).get("functionCallingConfig")
    if fcc:
        mode = fcc.get("mode")
        allowed = fcc.get("allowedFunctionNames") or []
        if mode == "ANY" and len(allowed) == 1:
            call.tool_choice = allowed[0]
        else:
            call.tool_choice = {"AUTO": "auto", "ANY": "required", "NONE": "none"}[mode]
    return call


def _media_part(p: dict[str, Any]) -> ImagePart | DocumentPart:
    if "fileData" in p:
        mime, source = p["fileData"]["mimeType"], {"url": p["fileData"]["fileUri"]}
    else:
        mime, source = p["inlineData"]["mimeType"], {"data": __import__("base64").b64decode(p["inlineData"]["data"])}
    cls = DocumentPart if mime == "application/pdf" else ImagePart
    return cls(media_type=mime, **source)


def _lower_types(schema: Any) -> Any:
    """Gemini's OpenAPI-subset schema (``"type": "OBJECT"``) as JSON Schema."""
    if isinstance(schema, dict):
        return {k: (v.lower() if k == "type" and isinstance(v, str) else _lower_types(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_lower_types(v) for v in schema]
    return schema


# ------------------------------------------------------------------------------------------ responses

OPENAI_FINISH = {"stop": "stop", "tool_calls": "tool_calls", "length": "length", "content_filter": "content_filter"}


def _openai_cached(u: dict[str, Any]) -> int | None:
    details = u.get("prompt_tokens_details") or {}
    for value in (details.get("cached_tokens"), u.get("prompt_cache_hit_tokens"), u.get("num_cached_tokens"),
                  u.get("cached_tokens")):
        if value is not None:
            return int(value)
    return None


def _openai_usage(exp: Expected, u: dict[str, Any] | None) -> None:
    if not u:
        return
    exp.input_tokens = u["prompt_tokens"]
    exp.output_tokens = u["completion_tokens"]
    exp.reasoning_tokens = (u.get("completion_tokens_details") or {}).get("reasoning_tokens")
    exp.cached_tokens = _openai_cached(u)


def openai_expected(body: dict[str, Any]) -> Expected:
    choice = body["choices"][0]
    msg = choice["message"]
    exp = Expected(finish=OPENAI_FINISH[choice["finish_reason"]], response_id=body.get("id"))
    content = msg.get("content")
    if isinstance(content, list):
        exp.text = "".join(c["text"] for c in content if c.get("type") == "text")
        exp.reasoning = "".join(t["text"] for c in content if c.get("type") == "thinking" for t in c["thinking"])
    else:
        exp.text = content or ""
    exp.reasoning = exp.reasoning or msg.get("reasoning") or msg.get("reasoning_content") or ""
    exp.tool_calls = [(tc["function"]["name"], json.loads(tc["function"]["arguments"] or "{}"))
                      for tc in msg.get("tool_calls") or []]
    _openai_usage(exp, body.get("usage"))
    return exp


def sse_data(raw: str) -> list[tuple[str, str]]:
    """(event name, data) pairs of an event stream, read plainly line by line."""
    out = []
    event = "message"
    for line in raw.replace("\r\n", "\n").split("\n"):
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            out.append((event, line[5:].strip()))
        elif line == "":
            event = "message"
    return out


@dataclass
class StreamError:
    """An error a host sent inside an HTTP 200 stream."""

    status: int | None  # the HTTP-like code the error itself carries, if any
    message: str


def _error_in(event: str, data: str) -> StreamError | None:
    if data == "[DONE]":
        return None
    try:
        obj = json.loads(data)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    if event != "error" and not obj.get("error"):
        return None
    err = obj.get("error") or obj
    if not isinstance(err, dict):
        err = {"message": str(err)}
    status = next((err[k] for k in ("status_code", "code") if isinstance(err.get(k), int)), None)
    return StreamError(status, str(err.get("message")))


def stream_error(raw: str | None) -> StreamError | None:
    """The first error inside a recorded 200 stream: a named ``error`` event (Groq: ``event: error`` with
    ``{"error": {..., "status_code": 400}}``) or an ``error`` object in an ordinary chunk (OpenRouter:
    ``{"error": {"code": 429, ...}, "choices": [...]}``); None when the stream carries none."""
    if raw is None:
        return None
    for event, data in sse_data(raw):
        found = _error_in(event, data)
        if found is not None:
            return found
    return None


def _delta_content(exp: Expected, content: Any) -> None:
    """``delta.content``: a string, or (Mistral) a list of chunks: ``{"type": "thinking", "thinking": [{"type":
    "text", "text"}]}`` is reasoning, ``{"type": "text", "text"}`` is answer text; one transition chunk may
    hold both."""
    if isinstance(content, str):
        exp.text += content
        return
    for item in content or []:
        if item.get("type") == "thinking":
            exp.reasoning += "".join(t.get("text", "") for t in item.get("thinking") or [] if t.get("type") == "text")
        elif item.get("type") == "text":
            exp.text += item.get("text", "")


def openai_stream_expected(raw: str) -> Expected:
    """What a chat-completions stream says, up to an in-band error if one arrives (nothing after it counts)."""
    exp = Expected()
    calls: dict[int, list[Any]] = {}
    for event, data in sse_data(raw):
        if data == "[DONE]":
            continue
        if _error_in(event, data) is not None:
            break
        chunk = json.loads(data)
        exp.response_id = exp.response_id or chunk.get("id")
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            _delta_content(exp, delta.get("content"))
            exp.reasoning += delta.get("reasoning") or delta.get("reasoning_content") or ""
            for tc in delta.get("tool_calls") or []:
                slot = calls.setdefault(tc["index"], ["", ""])
                slot[0] += tc.get("function", {}).get("name") or ""
                slot[1] += tc.get("function", {}).get("arguments") or ""
            if choice.get("finish_reason"):
                exp.finish = OPENAI_FINISH[choice["finish_reason"]]
        _openai_usage(exp, chunk.get("usage"))
    exp.tool_calls = [(n, json.loads(a or "{}")) for n, a in (calls[i] for i in sorted(calls))]
    return exp


GEMINI_FINISH = {"STOP": "stop", "MAX_TOKENS": "length", "SAFETY": "content_filter"}


def _gemini_add(exp: Expected, body: dict[str, Any]) -> None:
    exp.response_id = exp.response_id or body.get("responseId")
    for cand in body.get("candidates") or []:
        for p in (cand.get("content") or {}).get("parts") or []:
            if "functionCall" in p:
                exp.tool_calls.append((p["functionCall"]["name"], p["functionCall"].get("args") or {}))
            elif p.get("thought"):
                exp.reasoning += p.get("text", "")
            else:
                exp.text += p.get("text", "")
        if cand.get("finishReason"):
            exp.finish = GEMINI_FINISH[cand["finishReason"]]
    um = body.get("usageMetadata")
    if um:
        exp.input_tokens = um.get("promptTokenCount", 0) + um.get("toolUsePromptTokenCount", 0)
        exp.output_tokens = um.get("candidatesTokenCount", 0) + um.get("thoughtsTokenCount", 0)
        exp.reasoning_tokens = um.get("thoughtsTokenCount")
        exp.cached_tokens = um.get("cachedContentTokenCount")


def gemini_expected(body: dict[str, Any] | None, raw: str | None) -> Expected:
    exp = Expected()
    bodies = [json.loads(d) for _e, d in sse_data(raw)] if raw is not None else [body]
    for b in bodies:
        _gemini_add(exp, b)  # type: ignore[arg-type]
    if exp.tool_calls and exp.finish == "stop":
        exp.finish = "tool_calls"
    return exp


def responses_expected(body: dict[str, Any] | None, raw: str | None) -> Expected:
    if raw is not None:
        body = next(json.loads(d)["response"] for e, d in sse_data(raw) if e == "response.completed")
    assert body is not None
    exp = Expected(response_id=body.get("id"))
    for item in body["output"]:
        if item["type"] == "reasoning":
            exp.reasoning += "".join(c["text"] for c in item.get("content") or [])
        elif item["type"] == "message":
            exp.text += "".join(c["text"] for c in item["content"] if c["type"] == "output_text")
        elif item["type"] == "function_call":
            exp.tool_calls.append((item["name"], json.loads(item["arguments"])))
    exp.finish = "tool_calls" if exp.tool_calls else "stop"
    u = body.get("usage") or {}
    exp.input_tokens = u.get("input_tokens")
    exp.output_tokens = u.get("output_tokens")
    exp.reasoning_tokens = (u.get("output_tokens_details") or {}).get("reasoning_tokens")
    exp.cached_tokens = (u.get("input_tokens_details") or {}).get("cached_tokens")
    return exp


def error_message(body: Any, raw: str | None) -> str:
    """The host's own error message, as a person would read it off the body."""
    if body is None and raw:
        body = json.loads(raw)
    if isinstance(body, list):
        body = body[0]
    err = body.get("error", body)
    return str(err.get("message"))


# ------------------------------------------------------------------------------------------ canonical requests


def canonical_openai(body: dict[str, Any]) -> dict[str, Any]:
    """The fields of a chat-completions body that matter, in one comparable form."""
    msgs = []
    for m in body["messages"]:
        content = m.get("content")
        text = _content_text(content)
        reasoning = m.get("reasoning_content") or m.get("reasoning") or ""
        if isinstance(content, list):
            reasoning += "".join(t["text"] for c in content if c.get("type") == "thinking" for t in c["thinking"])
        think, text = split_think(text)
        msgs.append({
            "role": m["role"], "text": text, "reasoning": reasoning or think,
            "tool_calls": [(tc["id"], tc["function"]["name"],
                            json.loads(tc["function"]["arguments"] or "{}") if "arguments" in tc["function"]
                            else MISSING)
                           for tc in m.get("tool_calls") or []],
            "tool_call_id": m.get("tool_call_id"),
        })
    thinking = {k: body[k] for k in ("reasoning_effort", "reasoning_format", "reasoning", "thinking",
                                       "include_reasoning") if k in body}
    return {
        "model": body["model"], "messages": msgs, "thinking": thinking, "stream": body.get("stream", False),
        "stream_options": body.get("stream_options"),
        "tools": [(t["function"]["name"], t["function"].get("description", ""), t["function"].get("parameters"))
                  for t in body.get("tools") or []],
        "tool_choice": body.get("tool_choice"),
        "sampling": {k: body[k] for k in ("temperature", "top_p", "seed", "stop", "max_tokens",
                                            "max_completion_tokens") if k in body},
        "response_format": body.get("response_format"),
    }


def canonical_responses(body: dict[str, Any]) -> dict[str, Any]:
    items = []
    for item in body["input"]:
        if item.get("type") == "reasoning":
            items.append(("reasoning", "".join(c["text"] for c in item.get("content") or [])))
        elif item.get("role") == "assistant":
            think, text = split_think(item["content"])
            if think:
                items.append(("reasoning", think))
            if text:
                items.append(("assistant", text))
        elif item.get("role"):
            items.append((item["role"], item["content"]))
        elif item.get("type") == "function_call":
            items.append(("function_call", item["call_id"], item["name"], json.loads(item["arguments"])))
        elif item.get("type") == "function_call_output":
            items.append(("function_call_output", item["call_id"], item["output"]))
    return {"model": body["model"], "input": items, "stream": body.get("stream", False),
            "tools": [(t["name"], t.get("description", ""), t.get("parameters")) for t in body.get("tools") or []],
            "tool_choice": body.get("tool_choice"), "reasoning": body.get("reasoning")}


def canonical_gemini(url: str, body: dict[str, Any], *, drop: set[str]) -> dict[str, Any]:
    body = camelize(body)
    contents = []
    for c in body["contents"]:
        parts = []
        for p in c["parts"]:
            if "functionCall" in p:
                fc = p["functionCall"]
                parts.append(("call", fc["name"], fc.get("args") or {}, "thoughtSignature" in p))
            elif "functionResponse" in p:
                fr = p["functionResponse"]
                parts.append(("result", fr["name"], fr.get("id"), fr["response"], fr.get("parts")))
            elif p.get("thought"):
                parts.append(("thought", p["text"], "thoughtSignature" in p))
            else:
                parts.append(("text", p["text"], "thoughtSignature" in p))
        contents.append((c["role"], parts))
    config = body.get("generationConfig") or {}
    raw_tools = body.get("tools") or []
    raw_tools = [raw_tools] if isinstance(raw_tools, dict) else raw_tools
    tools = [(fd["name"], fd.get("description", "")) for t in raw_tools for fd in t.get("functionDeclarations") or []]
    fcc = (body.get("toolConfig") or {}).get("functionCallingConfig") or {}
    return {
        "target": re.sub(r"^.*?/models/", "models/", url.split("://", 1)[-1]),
        "system": "".join(p["text"] for p in (body.get("systemInstruction") or {}).get("parts", [])),
        "contents": contents,
        "thinking": config.get("thinkingConfig"),
        "output": (config.get("responseMimeType"), config.get("responseJsonSchema")),
        "sampling": {k: config[k] for k in ("temperature", "topP", "maxOutputTokens", "stopSequences", "seed")
                     if k in config},
        "tools": tools,
        "tool_mode": fcc.get("mode"),
        **({} if "builtin_tools" in drop else {"builtin_tools": [k for t in raw_tools for k in t
                                                                 if k != "functionDeclarations"]}),
    }
