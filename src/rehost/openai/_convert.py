"""OpenAI-shaped input turned into rehost's neutral types, and rehost's results turned into SDK-shaped objects.

Everything here runs before any request: a message, part or parameter rehost cannot carry raises a
``rehost.errors`` error that says what to do, rather than being dropped.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..shared.chat.caching import PromptCache
from ..shared.chat.output import Output
from ..shared.chat.sampling import SAMPLING_FIELDS
from ..shared.chat.types import (
    Completion,
    DocumentPart,
    ImagePart,
    Message,
    Part,
    ReasoningPart,
    TextPart,
    Thinking,
    Tool,
    ToolCall,
    ToolResult,
    Usage,
)
from ..shared.errors import ConfigurationError, UnsupportedFeature
from . import types as t

__all__ = ["Call", "chat_completion", "convert_call", "convert_messages", "new_id", "usage_of"]

_ROLES = ("system", "developer", "user", "assistant", "tool")
#: keys each role may carry (a key whose value is None is taken as absent, so a dumped SDK message round-trips)
_KEYS: dict[str, frozenset[str]] = {
    "system": frozenset({"role", "content", "name"}),
    "developer": frozenset({"role", "content", "name"}),
    "user": frozenset({"role", "content", "name"}),
    "assistant": frozenset({"role", "content", "name", "tool_calls", "reasoning_content", "refusal"}),
    "tool": frozenset({"role", "content", "tool_call_id", "name"}),
}
#: create() parameters with no rehost meaning; a value other than the neutral one raises
_NEUTRAL: dict[str, tuple[Any, ...]] = {
    "n": (None, 1),
    "logprobs": (None, False),
    "top_logprobs": (None, 0),
    "logit_bias": (None, {}),
    "modalities": (None, ["text"], ("text",)),
    "audio": (None,),
    "prediction": (None,),
    "web_search_options": (None,),
    "functions": (None,),
    "function_call": (None,),
    "service_tier": (None, "auto"),
    "store": (None, False),
    "metadata": (None,),
    "user": (None,),
    "safety_identifier": (None,),
    "verbosity": (None,),
    "parallel_tool_calls": (None,),
    "extra_query": (None,),
}
#: the sampling settings create() spells its own way (read one by one below) or does not have (refused as an
#: unknown argument); every other one of rehost's settings (``SAMPLING_FIELDS``) passes through by its name
_SPELLED_APART = {
    "max_tokens": "max_tokens or max_completion_tokens",
    "stop": "a string or a list",
    "top_k": "not a create() argument",
}
_SAMPLING = tuple(name for name in SAMPLING_FIELDS if name not in _SPELLED_APART)
_EFFORTS = ("minimal", "low", "medium", "high", "xhigh", "max")


def new_id() -> str:
    return f"chatcmpl-rehost-{uuid.uuid4().hex[:24]}"


def _fail(message: str) -> ConfigurationError:
    return ConfigurationError(message)


def _mapping(item: Any, where: str) -> Mapping[str, Any]:
    if isinstance(item, Mapping):
        return item
    dump = getattr(item, "model_dump", None)  # an SDK-shaped object (a returned message fed back in)
    if callable(dump):
        dumped = dump(exclude_none=True)
        if isinstance(dumped, Mapping):
            return dumped
    raise _fail(f"{where} must be a dict like {{'role': 'user', 'content': '...'}}, not {type(item).__name__}")


# ---------------------------------------------------------------------------------------------- messages


def _text_of(content: Any, where: str) -> str:
    """A system, developer, tool or assistant content: a string, or a list of text parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        out = []
        for item in content:
            part = _mapping(item, f"a part of {where}")
            if part.get("type") != "text":
                raise UnsupportedFeature(f"{where} takes text parts only, not {part.get('type')!r} parts")
            out.append(str(part.get("text") or ""))
        return "".join(out)
    raise _fail(f"the content of {where} must be a string or a list of parts, not {type(content).__name__}")


def _image(url: Any, detail: Any, where: str) -> ImagePart:
    if detail not in (None, "auto"):
        raise UnsupportedFeature(f"{where}: image detail {detail!r} is an OpenAI setting rehost cannot carry to "
                                 "every host; leave it out (or 'auto')")
    if not isinstance(url, str) or not url:
        raise _fail(f"{where}: an image_url part needs {{'image_url': {{'url': 'data:...' or 'https://...'}}}}")
    try:
        if url.startswith("data:"):
            head, sep, data = url.partition(",")
            if not sep or not head.endswith(";base64"):
                raise _fail(f"{where}: a data URL must be base64 ('data:image/png;base64,...')")
            media_type = head[5:].removesuffix(";base64") or None
            return ImagePart(data=base64.b64decode(data, validate=True), media_type=media_type)
        if url.startswith(("http://", "https://")):
            return ImagePart(url=url)
    except (binascii.Error, ValueError) as exc:
        raise _fail(f"{where}: the image is not usable: {exc}") from None
    raise _fail(f"{where}: an image URL must be a data: URL or an http(s) URL, not {url[:40]!r}")


def _file(spec: Any, where: str) -> DocumentPart:
    spec = _mapping(spec or {}, where)
    if spec.get("file_id"):
        raise UnsupportedFeature(f"{where}: file_id names a file uploaded to OpenAI; rehost cannot send it to other "
                                 "hosts: give file_data (a data: URL of the PDF)")
    data = spec.get("file_data")
    if not isinstance(data, str) or not data.startswith("data:") or "," not in data:
        raise _fail(f"{where}: a file part needs file_data as a data: URL ('data:application/pdf;base64,...')")
    head, _, body = data.partition(",")
    try:
        return DocumentPart(data=base64.b64decode(body, validate=True), media_type=head[5:].removesuffix(";base64"),
                            name=spec.get("filename"))
    except (binascii.Error, ValueError) as exc:
        raise _fail(f"{where}: the file is not usable: {exc}") from None


def _user_parts(content: Any, where: str) -> list[Part]:
    if isinstance(content, str):
        return [TextPart(text=content)]
    if not isinstance(content, Sequence) or isinstance(content, bytes):
        raise _fail(f"the content of {where} must be a string or a list of parts")
    parts: list[Part] = []
    for item in content:
        part = _mapping(item, f"a part of {where}")
        kind = part.get("type")
        if kind == "text":
            parts.append(TextPart(text=str(part.get("text") or "")))
        elif kind == "image_url":
            image = _mapping(part.get("image_url") or {}, where)
            parts.append(_image(image.get("url"), image.get("detail"), where))
        elif kind == "file":
            parts.append(_file(part.get("file"), where))
        elif kind == "input_audio":
            raise UnsupportedFeature(f"{where}: audio input is not built in rehost yet")
        else:
            raise UnsupportedFeature(f"{where}: rehost takes text, image_url and file parts, not {kind!r}")
    return parts


def _tool_call(call: Any, where: str) -> ToolCall:
    spec = _mapping(call, where)
    if spec.get("type", "function") != "function":
        raise UnsupportedFeature(f"{where}: only function tool calls are carried, not {spec.get('type')!r}")
    fn = _mapping(spec.get("function") or {}, where)
    raw = fn.get("arguments") or "{}"
    try:
        arguments = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except ValueError as exc:
        raise _fail(f"{where}: the arguments of {fn.get('name')!r} are not JSON: {exc}") from None
    if not isinstance(arguments, dict):
        raise _fail(f"{where}: the arguments of {fn.get('name')!r} must be a JSON object")
    try:
        return ToolCall(id=spec.get("id"), name=str(fn.get("name") or ""), arguments=arguments,
                        raw_arguments=raw if isinstance(raw, str) else None)
    except ValidationError as exc:
        raise _fail(f"{where}: {exc.errors(include_url=False)[0]['msg']}") from None


def convert_messages(messages: Iterable[Any]) -> list[Message]:
    """OpenAI chat messages as rehost Messages: ``developer`` is a system turn; a tool result takes its tool's name
    from the assistant turn that called it (or from ``name``)."""
    if isinstance(messages, str | bytes | Mapping):
        raise _fail("messages must be a list of message dicts")
    out: list[Message] = []
    called: dict[str, str] = {}
    for position, item in enumerate(messages):
        if isinstance(item, Message):
            out.append(item)
            called.update({c.id: c.name for c in item.tool_calls if c.id})
            continue
        spec = {k: v for k, v in _mapping(item, f"message {position}").items() if v is not None}
        role = spec.get("role")
        where = f"message {position} ({role})"
        if role == "function":
            raise UnsupportedFeature(f"{where}: the deprecated function role is not carried; answer a tool call "
                                     "with {'role': 'tool', 'tool_call_id': ..., 'content': ...}")
        if role not in _ROLES:
            raise _fail(f"message {position}: role must be one of {', '.join(_ROLES)}, not {role!r}")
        unknown = set(spec) - _KEYS[role]
        if unknown:
            raise UnsupportedFeature(f"{where}: rehost does not carry {', '.join(sorted(unknown))}")
        if "name" in spec and role != "tool":
            raise UnsupportedFeature(f"{where}: a participant name is not carried by every host; put it in the "
                                     "text, or leave it out")
        try:
            out.append(_message(role, spec, where, called))
        except ValidationError as exc:
            raise _fail(f"{where}: {exc.errors(include_url=False)[0]['msg']}") from None
    if not out:
        raise _fail("messages is empty: give at least one message")
    if all(m.role == "system" for m in out):
        raise _fail("only system (or developer) messages: give the model something to answer")
    return out


def _message(role: str, spec: Mapping[str, Any], where: str, called: dict[str, str]) -> Message:
    content = spec.get("content")
    if role in ("system", "developer"):
        return Message(role="system", parts=(TextPart(text=_text_of(content, where)),))
    if role == "user":
        return Message(role="user", parts=tuple(_user_parts(content if content is not None else "", where)))
    if role == "assistant":
        if spec.get("refusal"):
            raise UnsupportedFeature(f"{where}: a refusal cannot be sent back; give it as content")
        parts: list[Part] = []
        if spec.get("reasoning_content"):
            parts.append(ReasoningPart(text=str(spec["reasoning_content"])))
        text = _text_of(content, where)
        if text:
            parts.append(TextPart(text=text))
        calls = [_tool_call(c, where) for c in spec.get("tool_calls") or ()]
        called.update({c.id: c.name for c in calls if c.id})
        parts.extend(calls)
        if not parts:
            raise _fail(f"{where}: an assistant turn needs content or tool_calls")
        return Message(role="assistant", parts=tuple(parts))
    call_id = spec.get("tool_call_id")
    if not call_id:
        raise _fail(f"{where}: a tool message needs the tool_call_id of the call it answers")
    name = spec.get("name") or called.get(call_id)
    if not name:
        raise _fail(f"{where}: no assistant turn before it called tool_call_id {call_id!r}; put the assistant "
                    "message with that tool call first (or give the tool's name=...)")
    return Message(role="tool", parts=(ToolResult(call_id=call_id, name=name, content=_text_of(content, where)),))


# ---------------------------------------------------------------------------------------------- parameters


@dataclass
class Call:
    """One create() call, in rehost's terms."""

    spec: str
    messages: list[Message]
    options: dict[str, Any] = field(default_factory=dict)
    output: Output | None = None
    stream: bool = False
    include_usage: bool = False


def _tools(tools: Any) -> list[Tool]:
    out: list[Tool] = []
    for position, item in enumerate(tools or ()):
        spec = _mapping(item, f"tool {position}")
        if spec.get("type", "function") != "function":
            raise UnsupportedFeature(f"tool {position}: only function tools are carried, not {spec.get('type')!r}")
        fn = _mapping(spec.get("function") or {}, f"tool {position}")
        values = {k: fn[k] for k in ("name", "description", "parameters", "strict") if fn.get(k) is not None}
        try:
            out.append(Tool(**values))
        except ValidationError as exc:
            raise _fail(f"tool {position}: {exc.errors(include_url=False)[0]['msg']}") from None
    return out


def _tool_choice(choice: Any) -> str | None:
    if choice is None or choice in ("auto", "none", "required"):
        return choice  # type: ignore[no-any-return]
    spec = _mapping(choice, "tool_choice")
    if spec.get("type") == "function":
        name = _mapping(spec.get("function") or {}, "tool_choice").get("name")
        if name:
            return str(name)
    raise UnsupportedFeature(f"tool_choice takes 'auto', 'none', 'required' or {{'type': 'function', 'function': "
                             f"{{'name': ...}}}}, not {choice!r}")


def _output(response_format: Any) -> Output | None:
    if response_format is None:
        return None
    spec = _mapping(response_format, "response_format")
    kind = spec.get("type")
    if kind == "text":
        return None
    if kind == "json_object":
        return Output(schema=None, name="json")
    if kind == "json_schema":
        js = _mapping(spec.get("json_schema") or {}, "response_format.json_schema")
        schema = js.get("schema")
        if schema is not None and not isinstance(schema, Mapping):
            raise _fail("response_format.json_schema.schema must be a JSON schema object")
        return Output(schema=dict(schema) if schema is not None else None, name=str(js.get("name") or "output"),
                      description=js.get("description"), strict=js.get("strict"))
    raise UnsupportedFeature(f"response_format type must be text, json_object or json_schema, not {kind!r}")


def _thinking(effort: Any) -> Thinking | None:
    if effort is None:
        return None
    if effort == "none":
        return Thinking.off()
    if effort not in _EFFORTS:
        raise _fail(f"reasoning_effort must be none or one of {'|'.join(_EFFORTS)}, not {effort!r}")
    return Thinking(effort=effort)


def _prompt_cache(key: Any, retention: Any) -> PromptCache | None:
    """OpenAI's caching arguments as the neutral ``PromptCache`` (a host without these controls refuses it,
    naming what it has); OpenAI spells the in-memory retention ``in-memory``, rehost ``in_memory``."""
    if key is None and retention is None:
        return None
    if retention == "in-memory":
        retention = "in_memory"
    return PromptCache(key=key, retention=retention)


def convert_call(params: Mapping[str, Any]) -> Call:
    """The create() keyword arguments, checked and mapped; the rest of the call is rehost's."""
    params = dict(params)
    model = params.pop("model", None)
    if not isinstance(model, str) or not model:
        raise _fail("create() needs model='host/model', for example model='groq/llama-3.3-70b'")
    if "messages" not in params:
        raise _fail("create() needs messages=[...]")
    call = Call(spec=model, messages=convert_messages(params.pop("messages")))
    for name, neutral in _NEUTRAL.items():
        value = params.pop(name, None)
        if value not in neutral:
            hint = ("; pass it in extra_body if your host takes it" if name in ("parallel_tool_calls", "user",
                                                                               "service_tier") else "")
            raise UnsupportedFeature(f"{name}={value!r} is not something rehost can honour on every host{hint}")
    for name in _SAMPLING:
        value = params.pop(name, None)
        if value is not None:
            call.options[name] = value
    max_tokens = params.pop("max_tokens", None)
    max_completion = params.pop("max_completion_tokens", None)
    if max_tokens is not None and max_completion is not None and max_tokens != max_completion:
        raise _fail("give max_tokens or max_completion_tokens, not both with different values")
    if (max_tokens or max_completion) is not None:
        call.options["max_tokens"] = max_tokens if max_tokens is not None else max_completion
    stop = params.pop("stop", None)
    if stop is not None:
        call.options["stop"] = [stop] if isinstance(stop, str) else list(stop)
    tools = _tools(params.pop("tools", None))
    if tools:
        call.options["tools"] = tools
    choice = _tool_choice(params.pop("tool_choice", None))
    if choice is not None and not tools and choice != "none":
        raise _fail(f"tool_choice={choice!r} needs tools=[...]")
    if choice is not None and tools:  # "none" with no tools is already so: nothing to send
        call.options["tool_choice"] = choice
    cache = _prompt_cache(params.pop("prompt_cache_key", None), params.pop("prompt_cache_retention", None))
    if cache is not None:
        call.options["prompt_cache"] = cache
    thinking = _thinking(params.pop("reasoning_effort", None))
    if thinking is not None:
        call.options["thinking"] = thinking
    call.output = _output(params.pop("response_format", None))
    call.stream = bool(params.pop("stream", False))
    stream_options = params.pop("stream_options", None)
    if stream_options is not None:
        if not call.stream:
            raise _fail("stream_options is only for stream=True")
        opts = dict(_mapping(stream_options, "stream_options"))
        call.include_usage = bool(opts.pop("include_usage", False))
        if opts.pop("include_obfuscation", False):
            raise UnsupportedFeature("stream_options.include_obfuscation is an OpenAI transport feature; leave it out")
        if opts:
            raise UnsupportedFeature(f"stream_options takes include_usage, not {', '.join(sorted(opts))}")
    for name in ("extra_body", "extra_headers", "timeout"):
        value = params.pop(name, None)
        if value is not None:
            call.options[name] = value
    if params:
        raise UnsupportedFeature(f"create() got parameter(s) rehost does not know: {', '.join(sorted(params))}")
    return call


# ---------------------------------------------------------------------------------------------- results


def usage_of(usage: Usage | None) -> t.CompletionUsage | None:
    if usage is None:
        return None
    return t.CompletionUsage(
        prompt_tokens=usage.input_tokens, completion_tokens=usage.output_tokens, total_tokens=usage.total_tokens,
        completion_tokens_details=t.CompletionTokensDetails(reasoning_tokens=usage.reasoning_tokens)
        if usage.reasoning_tokens is not None else None,
        prompt_tokens_details=t.PromptTokensDetails(cached_tokens=usage.cached_input_tokens)
        if usage.cached_input_tokens is not None else None,
    )


def answer_text(done: Completion, output: Output | None) -> tuple[str | None, tuple[ToolCall, ...]]:
    """The content and tool calls an SDK consumer sees. A structured answer is its JSON, whichever way the host
    carried it (a schema field, JSON mode, a forced tool, or an instruction), and the forced tool is not shown."""
    calls = done.tool_calls
    if output is not None and done.output is not None:
        calls = tuple(c for c in calls if c.name != output.name)
        return json.dumps(done.output, ensure_ascii=False), calls
    return (done.text or (None if calls else "")), calls


def chat_completion(done: Completion, *, model: str, output: Output | None) -> t.ChatCompletion:
    content, calls = answer_text(done, output)
    message = t.ChatCompletionMessage(
        content=content, reasoning_content=done.reasoning or None,
        tool_calls=[t.ChatCompletionMessageToolCall(
            id=c.id or f"call_{i}", function=t.Function(
                name=c.name, arguments=c.raw_arguments or json.dumps(c.arguments, ensure_ascii=False)))
            for i, c in enumerate(calls)] or None,
    )
    finish = done.finish_reason
    if finish == "tool_calls" and not calls:
        finish = "stop"  # the only call was the forced structured-output tool: the answer is complete
    created = int(done.timing.started_at) if done.timing is not None else int(time.time())
    result = t.ChatCompletion(id=done.response_id or new_id(), created=created, model=model,
                              choices=[t.Choice(index=0, message=message, finish_reason=finish)],
                              usage=usage_of(done.usage))
    result._rehost = done
    return result
